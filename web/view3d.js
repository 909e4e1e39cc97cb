// view3d.js: the 3-D embedding view, one loss panel's features on the unit sphere.
//
// What it draws, back to front:
//   - the unit sphere, each point of its surface painted with the class that this
//     panel's loss predicts there (pastel), or hatched light grey inside the margin
//     band, where no class wins by its margin (LOSSES.md, "Base losses").
//     The rule is classifyDirection's in geometry.js, evaluated per pixel on the GPU
//     so the borders stay sharp at any zoom and cost the CPU nothing: the shader only
//     takes the argmax; the loss's target function f(θ) comes from geometry.js's
//     targetOfTheta as a table, so no loss formula is written twice;
//   - the test samples as round dots just above the surface, in their true
//     class colour, so a dot on a region of another colour is a mistake;
//   - the class weights as arrows from the centre, poking out of the surface;
//   - the smallest angle between two class weights as a red great-circle arc,
//     with its value in degrees, and "min angle … / limit …" in a corner
//     (LOSSES.md, "Angular metrics": the packing limit is the Tammes optimum).
//
// What it deliberately is not: an animation loop. It renders on demand, when
// update() brings a new snapshot or the user orbits, because a lecture page runs
// several panels and a trainer in a worker at once. Text is drawn into the WebGL
// canvas itself (a 2-D canvas used as a texture over the scene), so a PNG
// exported from view.canvas shows exactly what is on screen.
//
//   const view = new SphereView(container, { size: 360 });
//   view.update(snapshot);   // a Snapshot of wasm/trainer.js with dim 3
//   view.resize(420);        // optional: a new CSS size in px
//   view.dispose();
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { closestWeightPair, hasMarginBand, targetOfTheta } from './geometry.js';
import { classColor, paleRgb, PALE_MIX, rgb, HIGHLIGHT } from './palette.js';

const DIM = 3;
const DEG = 180 / Math.PI;

// Sizes are in sphere radii (the sphere has radius 1) unless they say px.
const LOOK = {
  background: '#ffffff',
  pastelMix: PALE_MIX,       // region colour = class colour mixed this far toward white (in sRGB)
  bandColor: '#f2f2f0',      // the margin band: almost white, so it reads as a gap between regions
  hatchPx: 7,                // ... and hatched (CSS px between lines, along a row)
  hatchShade: 0.8,           // hatch lines: the band colour times this (linear RGB)
  plainSphereColor: '#e4e4e4',
  outlineColor: '#8c8c8c',   // the sphere's silhouette, so it stands out on a white page
  sampleRadius: 1.012,       // dots sit just above the surface: no z-fighting with it
  samplePx: 9,               // dot diameter in CSS px at the default camera distance
  arrowShaftRadius: 0.018,
  arrowShaftLength: 1.17,
  arrowHeadRadius: 0.05,
  arrowHeadLength: 0.13,     // tip at 1.30: it pokes out of the sphere, but not out of the frame
  arrowEdge: 0.009,          // the dark edge around arrows (an inverted hull)
  arrowEdgeColor: '#262626',
  arcColor: HIGHLIGHT,          // the smallest angle, red as on the circle
  arcRadius: 1.022,          // above the dots
  arcTubeRadius: 0.013,
  ghostArcOpacity: 0.28,     // the part of the arc hidden behind the sphere, drawn faintly
  cameraDistance: 4.7,
  cameraElevationDeg: 24,    // a pleasant default: slightly from above
  cameraAzimuthDeg: 28,
  fovDeg: 32,
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
};

const KIND_NAMES = {
  softmax: 'Softmax', normface: 'NormFace', sphereface: 'SphereFace',
  cosface: 'CosFace', arcface: 'ArcFace', combined: 'combined margin',
};

// ---------------------------------------------------------------------------
// Pure helpers (no DOM, no GPU): exported so node tests can check them.

/** Unit rows of a flat (rows × 3) array: { dirs, valid } where a row that is not
 *  finite or has zero length is marked invalid (and left as zeros). */
export function unitRows(flat, rows) {
  const dirs = new Float32Array(rows * DIM), valid = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const x = flat[r * DIM], y = flat[r * DIM + 1], z = flat[r * DIM + 2];
    const norm = Math.hypot(x, y, z);
    if (!Number.isFinite(norm) || norm < 1e-12) continue;
    dirs[r * DIM] = x / norm; dirs[r * DIM + 1] = y / norm; dirs[r * DIM + 2] = z / norm;
    valid[r] = 1;
  }
  return { dirs, valid };
}

/** The loss fields that move decision regions or the margin band (not scale, beta). */
export function regionKey(loss, classes) {
  const l = loss ?? {};
  return [classes, l.kind, l.margin, l.m1, l.m2, l.m3, l.lambda, l.fallback].join('|');
}

/** Linear-RGB triples for the classes: solid (dots, arrows) and pastel (regions).
 *  three.js works in linear RGB; the palette is sRGB, so mix in sRGB, then convert. */
export function classColorsLinear(classes, pastelMix = LOOK.pastelMix) {
  const solid = new Float32Array(classes * 3), pastel = new Float32Array(classes * 3);
  const c = new THREE.Color();
  for (let k = 0; k < classes; k++) {
    const [r, g, b] = rgb(classColor(k)).map((v) => v / 255);
    c.setRGB(r, g, b, THREE.SRGBColorSpace);
    solid.set([c.r, c.g, c.b], 3 * k);
    const [pr, pg, pb] = paleRgb(classColor(k), pastelMix).map((v) => v / 255);
    c.setRGB(pr, pg, pb, THREE.SRGBColorSpace);
    pastel.set([c.r, c.g, c.b], 3 * k);
  }
  return { solid, pastel };
}

// The shader's class limit: uniform arrays need a fixed size. Beyond it the sphere is
// drawn plain (the toy presets use at most a dozen classes in 3-D).
export const MAX_REGION_CLASSES = 32;
// Samples of f(θ) over [0, π]: 0.18° apart, linearly interpolated in the shader.
export const TARGET_SAMPLES = 1024;

/** The loss's target function f(θ) (the target logit over s) on TARGET_SAMPLES
 *  evenly spaced angles of [0, π], for the shader: inside class k's margin means
 *  f(θ_k) ≥ cos θ_j for every other j (geometry.js, classifyDirection). */
export function targetTable(loss, samples = TARGET_SAMPLES) {
  const table = new Float32Array(samples);
  for (let k = 0; k < samples; k++) table[k] = targetOfTheta(loss, (Math.PI * k) / (samples - 1));
  return table;
}

/** Point at fraction t along the shorter great circle from unit a to unit b (Vector3s). */
function slerpUnit(a, b, t, target) {
  const omega = Math.acos(Math.min(1, Math.max(-1, a.dot(b))));
  if (omega < 1e-6) return target.copy(a);
  const s = Math.sin(omega);
  return target.copy(a).multiplyScalar(Math.sin((1 - t) * omega) / s).addScaledVector(b, Math.sin(t * omega) / s);
}

/** The great-circle arc between two unit directions, at a given radius. It goes
 *  through their bisector, so it is defined even for antipodal weights (C = 2,
 *  where the best angle is 180°); there any perpendicular is a bisector, and we
 *  take one tilted 45° toward `prefer` (the camera's direction), see below. */
export class GreatCircleArc extends THREE.Curve {
  constructor(a, b, radius = 1, prefer = new THREE.Vector3(0, 1, 0)) {
    super();
    this.a = a.clone().normalize();
    this.b = b.clone().normalize();
    this.radius = radius;
    this.mid = this.a.clone().add(this.b);
    if (this.mid.length() < 1e-6) {
      // Antipodal. Through the bisector facing the viewer the arc would be seen edge-on,
      // a straight line; through one at right angles, it would lie on the silhouette.
      // Halfway between the two it shows as half an ellipse over the front.
      const towardViewer = prefer.clone().addScaledVector(this.a, -prefer.dot(this.a));
      if (towardViewer.length() < 1e-6) towardViewer.set(this.a.y, -this.a.x, 0).add(new THREE.Vector3(0, this.a.z, -this.a.y));
      towardViewer.normalize();
      this.mid.crossVectors(this.a, towardViewer).add(towardViewer);
    }
    this.mid.normalize();
  }

  getPoint(t, target = new THREE.Vector3()) {
    if (t <= 0.5) slerpUnit(this.a, this.mid, 2 * t, target);
    else slerpUnit(this.mid, this.b, 2 * t - 1, target);
    return target.multiplyScalar(this.radius);
  }
}

const formatDeg = (deg) => `${deg.toFixed(1)}°`;

/** The words for the canvas's aria-label: what a screen reader says instead of the picture. */
export function describeView({ loss, classes, samples, pair, limitDeg }) {
  const kind = KIND_NAMES[loss?.kind] ?? 'the loss';
  const margin = hasMarginBand(loss?.kind ?? '') && classes > 1 ? ', with the margin band hatched in light grey' : '';
  let text = `3-D view: the unit sphere coloured by the decision regions of ${kind} for ${classes} ${classes === 1 ? 'class' : 'classes'}${margin}; `
    + `${samples} test samples as dots in their class colour; the class weights as arrows.`;
  if (pair) {
    text += ` Smallest angle between two class weights: ${formatDeg(pair.deg)} (classes ${pair.i} and ${pair.j})`;
    text += Number.isFinite(limitDeg) ? `, packing limit ${formatDeg(limitDeg)}.` : '.';
  }
  return text;
}

// ---------------------------------------------------------------------------
// The regions, per pixel: classifyDirection (geometry.js) in GLSL, with f(θ) from a table.

const REGION_SHADER = /* glsl */ `
#define MAX_CLASSES ${MAX_REGION_CLASSES}
#define TARGET_SAMPLES ${TARGET_SAMPLES}
#define HATCH_PX ${LOOK.hatchPx.toFixed(1)}
#define HATCH_SHADE ${LOOK.hatchShade.toFixed(3)}
uniform vec3 uWeights[MAX_CLASSES];   // unit class weights
uniform float uNorms[MAX_CLASSES];    // Softmax decides by ‖W_j‖ cos θ_j; 1 for the others
uniform vec3 uColors[MAX_CLASSES];    // pastel class colours, linear RGB
uniform int uClasses;                 // 0: no trustworthy weights, draw a plain sphere
uniform bool uHasBand;
uniform vec3 uBandColor;
uniform vec3 uPlainColor;
uniform vec3 uOutlineColor;
uniform float uPixelRatio;
uniform sampler2D uTarget;            // f(θ) on TARGET_SAMPLES points of [0, π]
varying vec3 vUnitDir;

float targetOfTheta(float theta) {
  float x = clamp(theta / PI, 0.0, 1.0) * float(TARGET_SAMPLES - 1);
  int i = min(int(x), TARGET_SAMPLES - 2);
  return mix(texelFetch(uTarget, ivec2(i, 0), 0).r, texelFetch(uTarget, ivec2(i + 1, 0), 0).r, x - float(i));
}

// Blend weight of the winning side for a signed distance d to a border (d > 0 on the
// winner's side): 1/2 on the border, 1 a pixel away, so borders are antialiased.
float winnerShare(float d) { return clamp(0.5 + d / (1.5 * fwidth(d) + 1e-7), 0.0, 1.0); }

// The band, hatched with thin diagonal lines (fixed on screen, HATCH_PX apart along
// x), so that it never reads as a region of its own, even next to a grey class.
vec3 bandColor() {
  float period = HATCH_PX * uPixelRatio;
  float d = abs(mod(gl_FragCoord.x + gl_FragCoord.y, period) - 0.5 * period);  // 0 on a line
  float line = 1.0 - smoothstep(0.5 * uPixelRatio, 0.5 * uPixelRatio + 1.0, d);
  return mix(uBandColor, uBandColor * HATCH_SHADE, line);
}

vec3 regionColor(vec3 u) {
  if (uClasses < 1) return uPlainColor;
  if (uClasses == 1) return uColors[0];
  int best = 0, second = 0;
  float bestScore = -1e30, secondScore = -1e30;
  for (int j = 0; j < MAX_CLASSES; j++) {
    if (j >= uClasses) break;
    float score = uNorms[j] * clamp(dot(u, uWeights[j]), -1.0, 1.0);
    if (score > bestScore) { second = best; secondScore = bestScore; best = j; bestScore = score; }
    else if (score > secondScore) { second = j; secondScore = score; }
  }
  // between two classes: the winner's lead over the runner-up is 0 on their border
  vec3 color = mix(uColors[second], uColors[best], winnerShare(bestScore - secondScore));
  if (uHasBand) {
    // inside the winner's margin when f(θ_best) ≥ cos θ_second (for these kinds the
    // runner-up by score is the runner-up by cosine, as in classifyDirection)
    float bestCos = clamp(dot(u, uWeights[best]), -1.0, 1.0);
    float secondCos = clamp(dot(u, uWeights[second]), -1.0, 1.0);
    color = mix(bandColor(), color, winnerShare(targetOfTheta(acos(bestCos)) - secondCos));
  }
  return color;
}
`;

// The silhouette, drawn by the sphere itself: where the surface turns away from the
// viewer (facing → 0) it fades into the outline colour over about a pixel.
// (normal and vViewPosition are view-space, from three's Lambert shader.)
const SILHOUETTE_SHADER = /* glsl */ `
  float facing = abs(dot(normal, normalize(vViewPosition)));
  outgoingLight = mix(uOutlineColor, outgoingLight, smoothstep(0.0, 2.0 * fwidth(facing) + 1e-4, facing - fwidth(facing)));
`;

// ---------------------------------------------------------------------------
// GPU pieces, each built once and updated in place.

/** A round dot with a dark rim, as a texture: white inside so that PointsMaterial's
 *  vertex colour tints it, dark at the rim so a dot reads on any region colour. */
function makeDotTexture() {
  const px = 64, canvas = document.createElement('canvas');
  canvas.width = canvas.height = px;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#1b1b1b';
  ctx.beginPath(); ctx.arc(px / 2, px / 2, px / 2 - 1, 0, 2 * Math.PI); ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.beginPath(); ctx.arc(px / 2, px / 2, px / 2 - 9, 0, 2 * Math.PI); ctx.fill();
  const texture = new THREE.CanvasTexture(canvas);
  texture.colorSpace = THREE.SRGBColorSpace;
  return texture;
}

/** Shared arrow geometry along +y: a shaft from the centre and a cone head, and the
 *  slightly fatter copies drawn back-face-only in a dark colour, which show as an edge. */
function makeArrowGeometries() {
  const { arrowShaftRadius: r, arrowShaftLength: L, arrowHeadRadius: R, arrowHeadLength: H, arrowEdge: e } = LOOK;
  const shaft = new THREE.CylinderGeometry(r, r, L, 16, 1, true).translate(0, L / 2, 0);
  const head = new THREE.ConeGeometry(R, H, 24).translate(0, L + H / 2, 0);
  const shaftEdge = new THREE.CylinderGeometry(r + e, r + e, L, 16, 1, true).translate(0, L / 2, 0);
  // the edge cone starts a little lower and ends a little higher, so it wraps the head
  const headEdge = new THREE.ConeGeometry(R + 1.6 * e, H + 3 * e, 24).translate(0, L + H / 2 + 0.5 * e, 0);
  return { shaft, head, shaftEdge, headEdge };
}

/** The text layer: a 2-D canvas at the drawing buffer's resolution, shown as a
 *  full-screen textured quad over the scene, so text is crisp and part of the PNG. */
class TextLayer {
  constructor() {
    this.canvas = document.createElement('canvas');
    this.ctx = this.canvas.getContext('2d');
    this.texture = new THREE.CanvasTexture(this.canvas);
    this.texture.colorSpace = THREE.SRGBColorSpace;
    this.texture.generateMipmaps = false;
    this.texture.minFilter = this.texture.magFilter = THREE.LinearFilter;
    this.material = new THREE.MeshBasicMaterial({
      map: this.texture, transparent: true, depthTest: false, depthWrite: false, toneMapped: false,
    });
    this.quad = new THREE.Mesh(new THREE.PlaneGeometry(2, 2), this.material);
    this.scene = new THREE.Scene();
    this.scene.add(this.quad);
    this.camera = new THREE.OrthographicCamera(-1, 1, 1, -1, 0, 1);
    this.cssSize = 0;
  }

  resize(cssSize, pixelRatio) {
    const px = Math.max(1, Math.round(cssSize * pixelRatio));
    this.cssSize = cssSize;
    this.pixelRatio = px / cssSize;
    if (this.canvas.width !== px) {
      this.canvas.width = this.canvas.height = px;
      // a texture's size is fixed on the GPU: a new size needs a new texture
      this.texture.dispose();
    }
  }

  /** corner: a line of text for the top-left; label: { x, y, nx, ny, text, alpha } in CSS px,
   *  placed on the side (nx, ny) of the point (x, y), or null. */
  draw(corner, label) {
    const { ctx, cssSize: size } = this;
    ctx.setTransform(this.pixelRatio, 0, 0, this.pixelRatio, 0, 0);
    ctx.clearRect(0, 0, size, size);
    ctx.textBaseline = 'middle';
    if (corner) {
      ctx.font = `500 13px ${LOOK.font}`;
      const w = ctx.measureText(corner).width;
      ctx.fillStyle = 'rgba(255, 255, 255, 0.82)';
      roundedRect(ctx, 6, 6, w + 12, 22, 5); ctx.fill();
      ctx.fillStyle = '#333333';
      ctx.textAlign = 'left';
      ctx.fillText(corner, 12, 17.5);
    }
    if (label) {
      ctx.font = `700 15px ${LOOK.font}`;
      const w = ctx.measureText(label.text).width, h = 15;
      // step out from the arc far enough that the text box clears it, then stay inside the canvas
      const gap = 9 + Math.abs(label.nx) * w / 2 + Math.abs(label.ny) * h / 2;
      const x = Math.min(size - w / 2 - 4, Math.max(w / 2 + 4, label.x + label.nx * gap));
      const y = Math.min(size - h / 2 - 4, Math.max(h / 2 + 4, label.y + label.ny * gap));
      ctx.globalAlpha = label.alpha;
      ctx.textAlign = 'center';
      ctx.lineJoin = 'round';
      ctx.lineWidth = 4;
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.92)';   // a white halo, legible on any region colour
      ctx.strokeText(label.text, x, y);
      ctx.fillStyle = LOOK.arcColor;
      ctx.fillText(label.text, x, y);
      ctx.globalAlpha = 1;
    }
    this.texture.needsUpdate = true;
  }

  dispose() {
    this.texture.dispose();
    this.material.dispose();
    this.quad.geometry.dispose();
  }
}

/** Is this WebGL drawn by the CPU? Then every pixel counts. */
function isSoftwareRenderer(renderer) {
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}

function roundedRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

// ---------------------------------------------------------------------------

export class SphereView {
  /** container: the element the canvas goes into; size: the canvas's CSS width and
   *  height in px (default: the container's width, or 360 if it is not laid out yet);
   *  antialias: true, false, or 'auto' (the default): multisampling, except on a
   *  software WebGL (SwiftShader, llvmpipe: no GPU, or a blocklisted one), where it
   *  doubles the cost of every frame. */
  constructor(container, { size, antialias = 'auto' } = {}) {
    this.container = container;
    this.size = Math.round(size || container.clientWidth || 360);
    this.webgl = true;
    this._frame = 0;
    this._snapshot = null;
    this._pair = null;

    try {
      // preserveDrawingBuffer: the last frame stays readable, for PNG export at any time
      this.renderer = new THREE.WebGLRenderer({ antialias: antialias !== false, preserveDrawingBuffer: true });
      if (antialias === 'auto' && isSoftwareRenderer(this.renderer)) {
        this.renderer.dispose();
        this.renderer.forceContextLoss();
        this.renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
      }
    } catch (err) {
      this._failWithoutWebGL(err);
      return;
    }
    this.renderer.autoClear = false;
    this.renderer.setClearColor(LOOK.background, 1);
    this.canvas = this.renderer.domElement;
    this.canvas.style.display = 'block';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', '3-D view of the embedding on the unit sphere: waiting for data.');
    container.appendChild(this.canvas);

    this.scene = new THREE.Scene();
    this.camera = new THREE.PerspectiveCamera(LOOK.fovDeg, 1, 0.1, 50);
    this.camera.position.setFromSphericalCoords(LOOK.cameraDistance,
      (90 - LOOK.cameraElevationDeg) / DEG, LOOK.cameraAzimuthDeg / DEG);
    this.camera.lookAt(0, 0, 0);
    this._buildLights();
    this._buildSphere();
    this._buildSamples();
    this._buildArc();
    this.arrows = new THREE.Group();
    this.scene.add(this.arrows);
    this._arrowGeometries = makeArrowGeometries();
    this.text = new TextLayer();

    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.enablePan = false;
    this.controls.enableDamping = false;       // damping would need a render loop
    this.controls.minDistance = 2.6;
    this.controls.maxDistance = 9;
    this.controls.rotateSpeed = 0.8;
    this.controls.zoomSpeed = 0.8;
    this._onChange = () => this._requestRender();
    this.controls.addEventListener('change', this._onChange);
    // after a lost context (driver reset, too many contexts) three rebuilds its state,
    // the clear colour included: set it again, re-upload the f(θ) table, draw again
    this._onRestored = () => {
      this.renderer.setClearColor(LOOK.background, 1);
      this._targetKey = null;
      if (this._snapshot) this.update(this._snapshot); else this._render();
    };
    this.canvas.addEventListener('webglcontextrestored', this._onRestored);

    this.resize(this.size);
  }

  /** Set the canvas's CSS size in px (square); the drawing buffer follows devicePixelRatio. */
  resize(size) {
    if (!this.webgl) return;
    this.size = Math.max(1, Math.round(size));
    // at most 2 device px per CSS px: a 4K projector gains nothing visible past that
    this.pixelRatio = Math.min(window.devicePixelRatio || 1, 2);
    this.renderer.setPixelRatio(this.pixelRatio);
    this.renderer.setSize(this.size, this.size);
    this.text.resize(this.size, this.pixelRatio);
    this._regionUniforms.uPixelRatio.value = this.pixelRatio;
    // PointsMaterial draws size·(height/2)/depth px: choose size so that a dot on the
    // near side is samplePx across at the default distance, whatever the canvas size
    this.samples.material.size = LOOK.samplePx * 2 * (LOOK.cameraDistance - 1) / this.size;
    this._render();
  }

  /** Redraw with a new snapshot (see the file's header). Non-finite points and labels
   *  outside [0, classes) are skipped; a snapshot whose dim is not 3 is ignored. */
  /** @param {import('../wasm/trainer.js').Snapshot} snapshot  a 3-D snapshot */
  update(snapshot) {
    if (!snapshot || snapshot.dim !== DIM) return;
    this._snapshot = snapshot;
    if (!this.webgl) { this._describe(); return; }
    // the window moved to a screen with another pixel density: follow it
    if (Math.min(window.devicePixelRatio || 1, 2) !== this.pixelRatio) this.resize(this.size);
    const weightsRaw = snapshot.weights ?? new Float32Array(0);
    const classes = Math.max(0, Math.min(snapshot.classes | 0, Math.floor(weightsRaw.length / DIM)));
    const { dirs, valid } = unitRows(weightsRaw, classes);
    const allValid = classes > 0 && valid.every((v) => v === 1);
    const norms = snapshot.weightNorms && snapshot.weightNorms.length >= classes
      && Array.prototype.every.call(snapshot.weightNorms.subarray(0, classes), Number.isFinite)
      ? snapshot.weightNorms.subarray(0, classes) : null;

    if (classes !== this._classes) this._setClassCount(classes);
    this._paintSphere(dirs, allValid, snapshot.loss ?? { kind: 'normface' }, norms, classes);
    this._placeArrows(dirs, valid);
    this._pair = allValid && classes >= 2 ? closestWeightPair(dirs, DIM) : null;
    this._placeArc(dirs);
    this._placeSamples(snapshot.embedding, snapshot.labels, classes);
    this._describe();
    this._render();
  }

  dispose() {
    if (this._frame) cancelAnimationFrame(this._frame);
    this._frame = 0;
    if (this.webgl) {
      this.controls.removeEventListener('change', this._onChange);
      this.controls.dispose();
      this.canvas.removeEventListener('webglcontextrestored', this._onRestored);
      this.scene.traverse((obj) => {
        obj.geometry?.dispose();
        for (const m of [].concat(obj.material ?? [])) { m.map?.dispose(); m.dispose(); }
      });
      Object.values(this._arrowGeometries).forEach((g) => g.dispose());
      this.text.dispose();
      this.renderer.dispose();
      this.renderer.forceContextLoss();  // browsers cap live WebGL contexts (~16): give ours back now
    }
    this.canvas?.remove();
    this.webgl = false;
  }

  // --- building ------------------------------------------------------------

  _buildLights() {
    // Mostly ambient, so region colours stay true; a soft key light from the upper
    // left of the viewer (it rides with the camera) gives the sphere its roundness.
    // three.js lights are physical: a Lambert surface returns intensity/π of its
    // colour, so π·(0.74 + 0.32) ≈ 1.06 at the lit front and 0.74 at the rim.
    this.scene.add(new THREE.AmbientLight(0xffffff, 0.74 * Math.PI));
    const key = new THREE.DirectionalLight(0xffffff, 0.32 * Math.PI);
    key.position.set(-0.8, 1.2, 3);
    this.camera.add(key);
    this.scene.add(this.camera);
  }

  _buildSphere() {
    const uniforms = {
      uWeights: { value: Array.from({ length: MAX_REGION_CLASSES }, () => new THREE.Vector3()) },
      uNorms: { value: new Float32Array(MAX_REGION_CLASSES).fill(1) },
      uColors: { value: Array.from({ length: MAX_REGION_CLASSES }, () => new THREE.Color()) },
      uClasses: { value: 0 },
      uHasBand: { value: false },
      uBandColor: { value: new THREE.Color(LOOK.bandColor) },
      uPlainColor: { value: new THREE.Color(LOOK.plainSphereColor) },
      uOutlineColor: { value: new THREE.Color(LOOK.outlineColor) },
      uPixelRatio: { value: 1 },
      uTarget: { value: new THREE.DataTexture(new Float32Array(TARGET_SAMPLES), TARGET_SAMPLES, 1, THREE.RedFormat, THREE.FloatType) },
    };
    uniforms.uTarget.value.needsUpdate = true;
    this._regionUniforms = uniforms;
    // three's Lambert material, lit as usual, with its colour taken from the regions
    const material = new THREE.MeshLambertMaterial();
    material.onBeforeCompile = (shader) => {
      Object.assign(shader.uniforms, uniforms);
      shader.vertexShader = 'varying vec3 vUnitDir;\n' + shader.vertexShader.replace('#include <begin_vertex>',
        '#include <begin_vertex>\n  vUnitDir = position;');
      shader.fragmentShader = shader.fragmentShader
        .replace('#include <common>', '#include <common>\n' + REGION_SHADER)   // after common: it needs PI
        .replace('#include <color_fragment>', '#include <color_fragment>\n  diffuseColor.rgb *= regionColor(normalize(vUnitDir));')
        .replace('#include <opaque_fragment>', SILHOUETTE_SHADER + '#include <opaque_fragment>');
    };
    // 96 × 48 segments: the silhouette's facets stay under 0.2 px even zoomed in
    this.sphere = new THREE.Mesh(new THREE.SphereGeometry(1, 96, 48), material);
    this.scene.add(this.sphere);
  }

  _buildSamples() {
    const geometry = new THREE.BufferGeometry();
    this._sampleCapacity = 0;
    this.samples = new THREE.Points(geometry, new THREE.PointsMaterial({
      map: makeDotTexture(), vertexColors: true, sizeAttenuation: true,
      transparent: true, depthWrite: false, alphaTest: 0.05,
    }));
    // the dots live on the sphere: three's bounding sphere must not cull them while it is stale
    this.samples.frustumCulled = false;
    this.scene.add(this.samples);
  }

  _buildArc() {
    this.arc = new THREE.Mesh(new THREE.BufferGeometry(), new THREE.MeshBasicMaterial({ color: LOOK.arcColor }));
    // the ghost: the same tube drawn faintly only where something is in front of it,
    // so the smallest angle stays findable when it is behind the sphere
    this.ghostArc = new THREE.Mesh(this.arc.geometry, new THREE.MeshBasicMaterial({
      color: LOOK.arcColor, transparent: true, opacity: LOOK.ghostArcOpacity,
      depthWrite: false, depthFunc: THREE.GreaterDepth,
    }));
    this.arc.visible = this.ghostArc.visible = false;
    this.scene.add(this.arc, this.ghostArc);
  }

  _setClassCount(classes) {
    this._classes = classes;
    this._colors = classColorsLinear(classes);
    for (const group of this.arrows.children) for (const mesh of group.children) mesh.material.dispose();
    this.arrows.clear();
    const g = this._arrowGeometries;
    const edge = new THREE.MeshBasicMaterial({ color: LOOK.arrowEdgeColor, side: THREE.BackSide });
    for (let k = 0; k < classes; k++) {
      const body = new THREE.MeshLambertMaterial({ color: new THREE.Color().fromArray(this._colors.solid, 3 * k) });
      const arrow = new THREE.Group();
      // each arrow owns its materials, so disposing a group's meshes frees all of them
      arrow.add(new THREE.Mesh(g.shaft, body), new THREE.Mesh(g.head, body.clone()),
        new THREE.Mesh(g.shaftEdge, edge.clone()), new THREE.Mesh(g.headEdge, edge.clone()));
      this.arrows.add(arrow);
    }
    edge.dispose();
  }

  // --- updating ------------------------------------------------------------

  /** Hand the regions to the shader: weights, Softmax's norms, colours, and f(θ).
   *  f(θ) is re-tabulated only when the loss's margin settings change. */
  _paintSphere(dirs, allValid, loss, norms, classes) {
    const u = this._regionUniforms;
    const drawn = allValid && classes <= MAX_REGION_CLASSES;
    u.uClasses.value = drawn ? classes : 0;   // 0: a plain sphere rather than wrong regions
    if (!drawn) return;
    const softmax = loss.kind === 'softmax' && norms;
    for (let k = 0; k < classes; k++) {
      u.uWeights.value[k].fromArray(dirs, 3 * k);
      u.uNorms.value[k] = softmax ? norms[k] : 1;
      u.uColors.value[k].fromArray(this._colors.pastel, 3 * k);
    }
    u.uHasBand.value = hasMarginBand(loss.kind);
    const key = regionKey(loss, classes);
    if (key !== this._targetKey) {
      u.uTarget.value.image.data.set(targetTable(loss));
      u.uTarget.value.needsUpdate = true;
      this._targetKey = key;
    }
  }

  _placeArrows(dirs, valid) {
    const up = new THREE.Vector3(0, 1, 0), dir = new THREE.Vector3();
    this.arrows.children.forEach((arrow, k) => {
      arrow.visible = valid[k] === 1;
      if (!arrow.visible) return;
      dir.fromArray(dirs, 3 * k);
      arrow.quaternion.setFromUnitVectors(up, dir);
    });
  }

  _placeArc(dirs) {
    const pair = this._pair;
    this.arc.visible = this.ghostArc.visible = false;
    if (!pair) return;
    const a = new THREE.Vector3().fromArray(dirs, 3 * pair.i), b = new THREE.Vector3().fromArray(dirs, 3 * pair.j);
    const curve = new GreatCircleArc(a, b, LOOK.arcRadius, this.camera.position.clone().normalize());
    this._arcCurve = curve;
    if (pair.deg < 0.05) return;  // a collapsed pair: no arc to draw, the label still says 0.0°
    const segments = Math.max(8, Math.ceil(pair.deg / 2));
    const geometry = new THREE.TubeGeometry(curve, segments, LOOK.arcTubeRadius, 8, false);
    this.arc.geometry.dispose();
    this.arc.geometry = this.ghostArc.geometry = geometry;
    this.arc.visible = this.ghostArc.visible = true;
  }

  _placeSamples(embedding, labels, classes) {
    const n = Math.min(Math.floor((embedding?.length ?? 0) / DIM), labels?.length ?? 0);
    const geometry = this.samples.geometry;
    if (n > this._sampleCapacity) {
      this._sampleCapacity = Math.max(n, 2 * this._sampleCapacity, 64);
      geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(this._sampleCapacity * 3), 3));
      geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(this._sampleCapacity * 3), 3));
    }
    if (!this._sampleCapacity) return;
    const pos = geometry.attributes.position.array, col = geometry.attributes.color.array;
    const solid = this._colors.solid;
    let shown = 0;
    for (let i = 0; i < n; i++) {
      const x = embedding[i * 3], y = embedding[i * 3 + 1], z = embedding[i * 3 + 2];
      const norm = Math.hypot(x, y, z), label = labels[i];
      if (!Number.isFinite(norm) || norm < 1e-12 || !(label >= 0 && label < classes)) continue;
      // re-normalize: the dots must sit on the sphere even if a feature is not quite unit
      const scale = LOOK.sampleRadius / norm;
      pos[shown * 3] = x * scale; pos[shown * 3 + 1] = y * scale; pos[shown * 3 + 2] = z * scale;
      col[shown * 3] = solid[label * 3]; col[shown * 3 + 1] = solid[label * 3 + 1]; col[shown * 3 + 2] = solid[label * 3 + 2];
      shown++;
    }
    this._samplesShown = shown;
    geometry.setDrawRange(0, shown);
    geometry.attributes.position.needsUpdate = true;
    geometry.attributes.color.needsUpdate = true;
  }

  _describe() {
    const s = this._snapshot;
    const text = describeView({
      loss: s?.loss, classes: s?.classes ?? 0, samples: this._samplesShown ?? 0,
      pair: this._pair, limitDeg: s?.metrics?.packing_limit_deg,
    });
    if (this.canvas && this.canvas.getAttribute('aria-label') !== text) this.canvas.setAttribute('aria-label', text);
  }

  // --- drawing -------------------------------------------------------------

  _requestRender() {
    if (this._frame || !this.webgl) return;
    this._frame = requestAnimationFrame(() => { this._frame = 0; this._render(); });
  }

  _render() {
    if (!this.webgl) return;
    if (this._frame) { cancelAnimationFrame(this._frame); this._frame = 0; }
    const r = this.renderer;
    r.clear();
    r.render(this.scene, this.camera);
    this.text.draw(this._cornerText(), this._arcLabel());
    r.render(this.text.scene, this.text.camera);
  }

  _cornerText() {
    if (!this._pair) return null;
    const limit = this._snapshot?.metrics?.packing_limit_deg;
    return `min angle ${formatDeg(this._pair.deg)}` + (Number.isFinite(limit) ? ` / limit ${formatDeg(limit)}` : '');
  }

  /** Where the angle's label goes: beside the arc's midpoint, on the side away from
   *  the sphere's centre on screen; faint when the midpoint is behind the sphere. */
  _arcLabel() {
    const curve = this._arcCurve;
    if (!this._pair || !curve) return null;
    const toScreen = (v) => {
      v.project(this.camera);
      return { x: (v.x + 1) / 2 * this.size, y: (1 - v.y) / 2 * this.size };
    };
    const midWorld = curve.getPoint(0.5);
    const facing = midWorld.dot(this.camera.position) > midWorld.lengthSq();  // in front of the sphere's horizon
    const p = toScreen(midWorld.clone());
    const q = toScreen(curve.getPoint(0.5 + 1e-3));
    const c = toScreen(new THREE.Vector3());
    // the normal to the arc on screen, turned to point away from the centre
    let nx = -(q.y - p.y), ny = q.x - p.x;
    let len = Math.hypot(nx, ny);
    if (len < 1e-9 || !Number.isFinite(len)) { nx = p.x - c.x; ny = p.y - c.y; len = Math.hypot(nx, ny); }
    if (len < 1e-9 || !Number.isFinite(len)) { nx = 0; ny = -1; len = 1; }
    nx /= len; ny /= len;
    if (nx * (p.x - c.x) + ny * (p.y - c.y) < 0) { nx = -nx; ny = -ny; }
    if (![p.x, p.y, nx, ny].every(Number.isFinite)) return null;
    return { x: p.x, y: p.y, nx, ny, text: formatDeg(this._pair.deg), alpha: facing ? 1 : 0.45 };
  }

  /** No WebGL (old browser, or blocked): a plain canvas that says so, same interface. */
  _failWithoutWebGL(err) {
    this.webgl = false;
    this.canvas = document.createElement('canvas');
    const pr = window.devicePixelRatio || 1;
    this.canvas.width = this.canvas.height = Math.round(this.size * pr);
    Object.assign(this.canvas.style, { width: `${this.size}px`, height: `${this.size}px`, display: 'block' });
    const ctx = this.canvas.getContext('2d');
    ctx.scale(pr, pr);
    ctx.fillStyle = '#f4f4f4'; ctx.fillRect(0, 0, this.size, this.size);
    ctx.fillStyle = '#444'; ctx.font = `14px ${LOOK.font}`; ctx.textAlign = 'center';
    ctx.fillText('The 3-D view needs WebGL,', this.size / 2, this.size / 2 - 10);
    ctx.fillText('which this browser did not provide.', this.size / 2, this.size / 2 + 10);
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `3-D view unavailable: WebGL failed (${err?.message ?? err}).`);
    this.container.appendChild(this.canvas);
  }
}
