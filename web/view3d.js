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
//     (LOSSES.md, "Angular metrics": the packing limit is the Tammes optimum);
//   - with setForces(true), what moves each sample and each weight: at every dot two
//     flat arrows in the sphere's tangent plane, the descent step −∇ of the base loss
//     and of IAM (the trainer's own gradients, snap.forces), and two at every weight's
//     tip; their lengths follow inspect.js's one rule, as on the circle, and a key in
//     the top-right corner says so. All arrows are one mesh: one draw call;
//   - with setFocus(i), sample i ringed, and great-circle arcs on the sphere from it to
//     its own class's weight (solid) and to the nearest other one's (dashed): the two
//     angles of its hover card (inspect.js), which the panel shows over the view.
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
//   view.setForces(true);    // the arrows (the snapshot must carry snap.forces)
//   view.pick(x, y);         // CSS px in the canvas → { sample: i } | { weight: j } | null
//   view.setFocus(i);        // light up sample i; null: none
//   view.samplePosition(i);  // where sample i's dot is, in pick()'s CSS px, or null
//   view.dispose();
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { closestWeightPair, hasMarginBand, targetOfTheta } from './geometry.js';
import { classColor, paleRgb, PALE_MIX, rgb, HIGHLIGHT } from './palette.js';
import { FORCE_COLORS, ARROWS, arrowLength, sampleFacts, tangent } from './inspect.js';
import { normRadius } from './view2d.js';

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
  normLift: 0.3,             // AdaFace, MagFace: a dot sits this far above the sphere at the largest ‖x‖
  subcenterOpacity: 0.7,     // the sub-centers that are not the class's dominant one: faint
  arcColor: HIGHLIGHT,          // the smallest angle, red as on the circle
  arcRadius: 1.022,          // above the dots
  arcTubeRadius: 0.013,
  ghostArcOpacity: 0.28,     // the part of the arc hidden behind the sphere, drawn faintly
  cameraDistance: 4.7,
  cameraElevationDeg: 24,    // a pleasant default: slightly from above
  cameraAzimuthDeg: 28,
  fovDeg: 32,
  // the force arrows (setForces): flat arrows lying in each point's tangent plane
  forceLift: 1.006,          // a sample's arrows start here: above the sphere, under the dots (1.012),
                             // so that each dot sits on the start of its arrows, and shows
  forceHalfWidth: 0.0045,    // the shaft: 1.4 px wide at the front of a 340 px view, 2.5 px at 600
  forceHeadLength: 0.045,    // the head: at most this long, and at most forceHeadShare of its arrow
  forceHeadShare: 0.4,
  // the focused sample (setFocus): a ring round its dot, great-circle arcs to two weights
  haloPx: 23,                // the ring's outer diameter in CSS px, as samplePx
  haloLift: 0.06,            // ... drawn this much nearer the camera than its dot: on top of what is near
  focusArcRadius: 1.028,     // above the force arrows and the smallest angle's arc
  focusArcHalfWidth: 0.0075,
  focusArcEdge: 0.005,       // the dark edge on each side
  focusArcSegments: 48,
  focusDashSegments: 3,      // the arc to the nearest other class is dashed: 3 segments on, 3 off
  // pick(): how near the pointer must be, in CSS px
  pickSamplePx: 10,
  pickWeightPx: 12,
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

// --- the forces and the focus ---------------------------------------------

/** Where a class weight's arrow ends: its tip, in sphere radii. */
export const WEIGHT_TIP_RADIUS = LOOK.arrowShaftLength + LOOK.arrowHeadLength;

/** The descent step −∇ that an arrow draws, for a gradient g at the unit vector u:
 *  its tangent part, turned round, as long as inspect.js's rule says (arrowLength,
 *  'sample' or 'weight'), in sphere radii: [x, y, z]. `scale` multiplies the gradient
 *  first: ‖W_j‖ for a weight, whose gradient is then ∂/∂Ŵ_j at its norm, like a
 *  sample's (src/iam.h, iam_trainer_forces). Nothing to descend gives [0, 0, 0]. */
export function descentStep(g, u, which, scale = 1) {
  const t = tangent(g, u), size = Math.hypot(t[0], t[1], t[2]);
  if (!(size > 0) || !Number.isFinite(size * scale)) return [0, 0, 0];
  const length = arrowLength(size * scale, which);
  return [-t[0] * length / size, -t[1] * length / size, -t[2] * length / size];
}

/** Does the unit sphere hide the point p from a camera at c? It does when the segment
 *  between them passes inside it. */
export function behindUnitSphere(px, py, pz, cx, cy, cz) {
  const dx = px - cx, dy = py - cy, dz = pz - cz;
  const t = -(cx * dx + cy * dy + cz * dz) / (dx * dx + dy * dy + dz * dz);
  if (!(t > 0 && t < 1)) return false;
  const x = cx + t * dx, y = cy + t * dy, z = cz + t * dz;
  return x * x + y * y + z * z < 1;
}

/** Vertices per force arrow: the shaft's two triangles, then the head's. */
export const ARROW_VERTICES = 9;
const arrowFrame = { o: new Float64Array(3), d: new Float64Array(3), n: new Float64Array(3) };

/** out[at…] = o + along·d + across·n (one vertex). */
function putVertex(out, at, { o, d, n }, along, across) {
  for (let c = 0; c < 3; c++) out[at + c] = o[c] + along * d[c] + across * n[c];
}

/** One flat arrow in the tangent plane at the unit vector u, from u·radius along the
 *  tangent `step`: ARROW_VERTICES vertices at out[at…]. Vertices 0 and 1 straddle its
 *  start, vertex 6 is its tip. A zero step gives an empty arrow (every vertex at the start). */
export function writeArrow(out, at, u, radius, step, look = LOOK) {
  const f = arrowFrame, length = Math.hypot(step[0], step[1], step[2]);
  for (let c = 0; c < 3; c++) { f.o[c] = u[c] * radius; f.d[c] = length > 0 ? step[c] / length : 0; }
  // across the arrow, in the tangent plane: u × d
  f.n[0] = u[1] * f.d[2] - u[2] * f.d[1]; f.n[1] = u[2] * f.d[0] - u[0] * f.d[2]; f.n[2] = u[0] * f.d[1] - u[1] * f.d[0];
  const across = Math.hypot(f.n[0], f.n[1], f.n[2]);
  if (!(length > 1e-9 && across > 1e-9)) {
    for (let v = 0; v < ARROW_VERTICES; v++) putVertex(out, at + 3 * v, f, 0, 0);
    return;
  }
  for (let c = 0; c < 3; c++) f.n[c] /= across;
  const w = look.forceHalfWidth, head = Math.min(look.forceHeadLength, look.forceHeadShare * length);
  const headHalf = Math.max(0.55 * head, 1.6 * w), neck = length - head;
  // the shaft, two triangles from the start to the neck; the head, from the neck to the tip
  putVertex(out, at, f, 0, -w); putVertex(out, at + 3, f, 0, w); putVertex(out, at + 6, f, neck, w);
  putVertex(out, at + 9, f, 0, -w); putVertex(out, at + 12, f, neck, w); putVertex(out, at + 15, f, neck, -w);
  putVertex(out, at + 18, f, length, 0); putVertex(out, at + 21, f, neck, headHalf); putVertex(out, at + 24, f, neck, -headHalf);
}

/** A ribbon along the points (unit vectors, count × 3), lying on the sphere of `radius`,
 *  halfWidth to each side: 2·count vertices at out[at…], left and right of each point. */
export function writeRibbon(out, at, points, count, radius, halfWidth) {
  for (let k = 0; k < count; k++) {
    const p = 3 * k, prev = 3 * Math.max(0, k - 1), next = 3 * Math.min(count - 1, k + 1);
    const tx = points[next] - points[prev], ty = points[next + 1] - points[prev + 1], tz = points[next + 2] - points[prev + 2];
    // the side: p × tangent, in the sphere's tangent plane
    let sx = points[p + 1] * tz - points[p + 2] * ty, sy = points[p + 2] * tx - points[p] * tz, sz = points[p] * ty - points[p + 1] * tx;
    const s = Math.hypot(sx, sy, sz), scale = s > 1e-12 ? halfWidth / s : 0;
    sx *= scale; sy *= scale; sz *= scale;
    for (let side = 0; side < 2; side++) {
      const o = at + 6 * k + 3 * side, sign = side === 0 ? -1 : 1;
      out[o] = points[p] * radius + sign * sx; out[o + 1] = points[p + 1] * radius + sign * sy; out[o + 2] = points[p + 2] * radius + sign * sz;
    }
  }
}

/** Triangle indices for ribbons of `segments` segments (vertices as writeRibbon lays them,
 *  one ribbon after another), skipping segments where skip(k) is true (a dash pattern). */
function ribbonIndices(ribbons, segments, skip = () => false) {
  const indices = [];
  for (const r of ribbons) {
    const base = r * 2 * (segments + 1);
    for (let k = 0; k < segments; k++) {
      if (skip(k)) continue;
      const v = base + 2 * k;
      indices.push(v, v + 1, v + 2, v + 1, v + 3, v + 2);
    }
  }
  return indices;
}

const formatDeg = (deg) => `${deg.toFixed(1)}°`;

/** The words for the canvas's aria-label: what a screen reader says instead of the picture. */
export function describeView({ loss, classes, samples, pair, limitDeg, forces = false }) {
  const kind = KIND_NAMES[loss?.kind] ?? 'the loss';
  const margin = hasMarginBand(loss?.kind ?? '') && classes > 1 ? ', with the margin band hatched in light grey' : '';
  let text = `3-D view: the unit sphere coloured by the decision regions of ${kind} for ${classes} ${classes === 1 ? 'class' : 'classes'}${margin}; `
    + `${samples} test samples as dots in their class colour; the class weights as arrows.`;
  if (pair) {
    text += ` Smallest angle between two class weights: ${formatDeg(pair.deg)} (classes ${pair.i} and ${pair.j})`;
    text += Number.isFinite(limitDeg) ? `, packing limit ${formatDeg(limitDeg)}.` : '.';
  }
  if (forces) text += ' Arrows at each sample and at each weight\'s tip: the descent directions −∇ of the base loss and of IAM, in the two colours of the key.';
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

/** The focused sample's ring, as a texture: a dark ring with a white rim outside and
 *  inside, so that it reads on any region colour and around any dot. */
function makeRingTexture() {
  const px = 64, canvas = document.createElement('canvas');
  canvas.width = canvas.height = px;
  const ctx = canvas.getContext('2d');
  for (const [radius, width, color] of [[px / 2 - 8, 15, '#ffffff'], [px / 2 - 8, 9, '#1b1b1b']]) {
    ctx.lineWidth = width; ctx.strokeStyle = color;
    ctx.beginPath(); ctx.arc(px / 2, px / 2, radius, 0, 2 * Math.PI); ctx.stroke();
  }
  const texture = new THREE.CanvasTexture(canvas);
  texture.colorSpace = THREE.SRGBColorSpace;
  return texture;
}

// what an arrow shows: on whom, which part of the loss (ArrowMesh.part indexes this)
const ARROW_PARTS = [['sample', 'base'], ['sample', 'iam'], ['weight', 'base'], ['weight', 'iam']];

/** The force arrows: flat arrows (writeArrow) in one mesh, one draw call for all of
 *  them, written in place; the buffers grow only when a snapshot has more arrows than
 *  any before. For each arrow it remembers whose it is: owner (a sample's index in the
 *  snapshot, or a class) and part. */
class ArrowMesh {
  constructor() {
    this.geometry = new THREE.BufferGeometry();
    this.mesh = new THREE.Mesh(this.geometry, new THREE.MeshBasicMaterial({ vertexColors: true, side: THREE.DoubleSide }));
    this.mesh.frustumCulled = false;   // like the dots: its bounding sphere would be stale
    this.mesh.visible = false;
    this.colors = { base: new THREE.Color(FORCE_COLORS.base), iam: new THREE.Color(FORCE_COLORS.iam) };
    this.capacity = 0;
    this.count = 0;
  }

  /** Room for `arrows` in all; then start again from none. */
  reset(arrows) {
    this.count = 0;
    if (arrows <= this.capacity) return;
    this.capacity = Math.max(arrows, 2 * this.capacity, 256);
    const floats = this.capacity * ARROW_VERTICES * 3;
    this.geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(floats), 3));
    this.geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(floats), 3));
    this.owner = new Int32Array(this.capacity);
    this.part = new Uint8Array(this.capacity);
  }

  /** One arrow from u·radius along step (see writeArrow); part indexes ARROW_PARTS. */
  push(u, radius, step, owner, part) {
    const k = this.count++, at = k * ARROW_VERTICES * 3;
    writeArrow(this.geometry.attributes.position.array, at, u, radius, step);
    const color = this.colors[ARROW_PARTS[part][1]], col = this.geometry.attributes.color.array;
    for (let v = 0; v < ARROW_VERTICES; v++) { col[at + 3 * v] = color.r; col[at + 3 * v + 1] = color.g; col[at + 3 * v + 2] = color.b; }
    this.owner[k] = owner;
    this.part[k] = part;
  }

  /** Hand what was pushed to the GPU, and show it. */
  commit() {
    this.geometry.setDrawRange(0, this.count * ARROW_VERTICES);
    if (this.capacity) {
      this.geometry.attributes.position.needsUpdate = true;
      this.geometry.attributes.color.needsUpdate = true;
    }
    this.mesh.visible = this.count > 0;
  }

  /** The arrows as the buffers hold them: start, step (tip − start), colour, whose. */
  read() {
    const pos = this.geometry.attributes.position?.array, col = this.geometry.attributes.color?.array, out = [];
    for (let k = 0; k < this.count; k++) {
      const at = k * ARROW_VERTICES * 3;
      const origin = [0, 1, 2].map((c) => (pos[at + c] + pos[at + 3 + c]) / 2);
      const step = [0, 1, 2].map((c) => pos[at + 18 + c] - origin[c]);
      const [on, part] = ARROW_PARTS[this.part[k]];
      out.push({ on, part, index: this.owner[k], origin, step, color: [col[at], col[at + 1], col[at + 2]] });
    }
    return out;
  }
}

/** The focused sample's marks: a ring round its dot, and great-circle arcs on the
 *  sphere from it to its own class's weight (solid) and to the nearest other class's
 *  (dashed), each in that class's colour with a dark edge. Built once: a focus change
 *  rewrites a few hundred numbers in place. */
class FocusMarks {
  constructor() {
    const segments = LOOK.focusArcSegments, ribbonVertices = 2 * (segments + 1);
    // four ribbons: the own arc's dark edge and its colour, then the other's
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(4 * ribbonVertices * 3), 3));
    geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(4 * ribbonVertices * 3), 3));
    const dash = LOOK.focusDashSegments;
    const own = ribbonIndices([0, 1], segments), other = ribbonIndices([2, 3], segments, (k) => Math.floor(k / dash) % 2 === 1);
    geometry.setIndex([...own, ...other]);
    this.ownIndices = own.length;
    this.arcs = new THREE.Mesh(geometry, new THREE.MeshBasicMaterial({ vertexColors: true, side: THREE.DoubleSide }));
    this.points = new Float32Array((segments + 1) * 3);
    this.edge = new THREE.Color(LOOK.arrowEdgeColor);
    const haloGeometry = new THREE.BufferGeometry();
    haloGeometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(3), 3));
    this.halo = new THREE.Points(haloGeometry, new THREE.PointsMaterial({
      map: makeRingTexture(), transparent: true, depthWrite: false, alphaTest: 0.05, sizeAttenuation: true,
    }));
    this.halo.renderOrder = 1;   // over the dots
    this.arcs.frustumCulled = this.halo.frustumCulled = false;
    this.a = new THREE.Vector3(); this.b = new THREE.Vector3(); this.p = new THREE.Vector3();
    this.hide();
  }

  hide() { this.halo.visible = this.arcs.visible = false; }

  /** The ring at `dot` (x, y, z), and arcs from the unit vector u to `own` and `other`,
   *  each { dir (unit), color } or null. eye: the camera's position. */
  show(dot, u, own, other, eye) {
    // the ring moves toward the camera along its line of sight: the same place on
    // screen, but in front of the arrows and arcs around its dot
    const position = this.halo.geometry.attributes.position, lift = this.p.fromArray(eye).sub(this.a.fromArray(dot));
    lift.multiplyScalar(LOOK.haloLift / lift.length()).add(this.a);
    lift.toArray(position.array);
    position.needsUpdate = true;
    const prefer = this.b.fromArray(eye).normalize().clone();   // where an antipodal arc bulges to
    this.halo.visible = true;
    this.arcs.visible = !!own || !!other;
    if (own) this.writeArc(0, u, own, prefer);
    if (other) this.writeArc(1, u, other, prefer);
    // the other arc's indices follow the own arc's: draw both, or only the own
    this.arcs.geometry.setDrawRange(own ? 0 : this.ownIndices, other ? Infinity : (own ? this.ownIndices : 0));
    this.arcs.geometry.attributes.position.needsUpdate = true;
    this.arcs.geometry.attributes.color.needsUpdate = true;
  }

  /** Arc `which` (0 own, 1 other): its edge ribbon just under its colour ribbon. */
  writeArc(which, u, { dir, color }, prefer) {
    const segments = LOOK.focusArcSegments, ribbonVertices = 2 * (segments + 1);
    const curve = new GreatCircleArc(this.a.fromArray(u), this.b.fromArray(dir), 1, prefer);
    for (let k = 0; k <= segments; k++) curve.getPoint(k / segments, this.p).toArray(this.points, 3 * k);
    const pos = this.arcs.geometry.attributes.position.array, col = this.arcs.geometry.attributes.color.array;
    const r = LOOK.focusArcRadius, w = LOOK.focusArcHalfWidth;
    writeRibbon(pos, 3 * (2 * which) * ribbonVertices, this.points, segments + 1, r - 0.003, w + LOOK.focusArcEdge);
    writeRibbon(pos, 3 * (2 * which + 1) * ribbonVertices, this.points, segments + 1, r, w);
    for (const [ribbon, c] of [[2 * which, this.edge], [2 * which + 1, color]]) {
      for (let v = ribbon * ribbonVertices; v < (ribbon + 1) * ribbonVertices; v++) c.toArray(col, 3 * v);
    }
  }
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
   *  placed on the side (nx, ny) of the point (x, y), or null; key: the arrows' key for
   *  the top-right (drawKey), or null. */
  draw(corner, label, key = null) {
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
    if (key) drawKey(ctx, key, size);
    this.texture.needsUpdate = true;
  }

  dispose() {
    this.texture.dispose();
    this.material.dispose();
    this.quad.geometry.dispose();
  }
}

/** The key to the force arrows, in the top-right corner, as the circle has it
 *  (view2d.js): a line per colour, then a bar as long as an arrow of |∇| = barGradient
 *  at the front of the sphere. key: { lines: [[text, color]], barPx, barGradient }. */
function drawKey(ctx, { lines, barPx, barGradient }, size) {
  const lineHeight = 17, right = size - 12, barText = `|∇| ${barGradient}`;
  ctx.font = `500 12px ${LOOK.font}`;
  const width = Math.max(...lines.map(([text]) => ctx.measureText(text).width), ctx.measureText(barText).width + 6 + barPx);
  ctx.fillStyle = 'rgba(255, 255, 255, 0.82)';
  roundedRect(ctx, right - width - 6, 6, width + 12, lineHeight * (lines.length + 1) + 5, 5); ctx.fill();
  ctx.textAlign = 'right';
  lines.forEach(([text, color], k) => { ctx.fillStyle = color; ctx.fillText(text, right, 17.5 + k * lineHeight); });
  const y = 17.5 + lines.length * lineHeight;
  ctx.fillStyle = '#555555';
  ctx.fillText(barText, right - barPx - 6, y);
  ctx.strokeStyle = '#555555';
  ctx.lineWidth = 2;
  ctx.beginPath(); ctx.moveTo(right - barPx, y); ctx.lineTo(right, y); ctx.stroke();
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
    this._forcesOn = false;   // setForces
    this._focus = null;       // setFocus: a sample's index in the snapshot

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
    this._buildSubcenters();
    this.arrows = new THREE.Group();
    this.scene.add(this.arrows);
    this._arrowGeometries = makeArrowGeometries();
    this.text = new TextLayer();
    this._buildForces();

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
    this.focusMarks.halo.material.size = LOOK.haloPx * 2 * (LOOK.cameraDistance - 1) / this.size;
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
    this._placeSubcenters(snapshot);
    this._pair = allValid && classes >= 2 ? closestWeightPair(dirs, DIM) : null;
    this._placeArc(dirs);
    // AdaFace and MagFace read the norm: inside an opaque sphere a dot at radius ‖x‖
    // would be hidden, so its height above the surface is ‖x‖ (the largest at normLift)
    this._normTop = normRadius(snapshot);
    this._placeSamples(snapshot.embedding, snapshot.labels, classes, this._normTop ? snapshot.norms : null);
    this._weights = { dirs, valid };
    for (let k = 0; k < classes * DIM; k++) this._tips[k] = valid[Math.floor(k / DIM)] ? dirs[k] * WEIGHT_TIP_RADIUS : NaN;
    if (this._forcesOn) this._placeForces(snapshot);
    this._placeFocus();
    this._describe();
    this._render();
  }

  /** Draw the forces or not: at each shown sample's dot two arrows, the descent step
   *  −∇ of the base loss and of IAM (snap.forces, tangent parts: descentStep), and two
   *  at each class weight's tip. Off, nothing of them is drawn or computed. */
  setForces(on) {
    on = !!on;
    if (on === this._forcesOn) return;
    this._forcesOn = on;
    if (!this.webgl) return;
    if (on && this._snapshot) this._placeForces(this._snapshot);
    this.forceArrows.mesh.visible = on && this.forceArrows.count > 0;
    this._describe();
    this._render();
  }

  /** What is under the pointer at (x, y), in CSS px from the canvas's top-left corner
   *  (clientX − getBoundingClientRect().left, and so for y): { sample: i } for the
   *  nearest dot within pickSamplePx that the sphere does not hide, else { weight: j }
   *  for a weight arrow's tip within pickWeightPx, else null. Dots and tips are
   *  projected with the camera, exactly; nothing is built or drawn. */
  pick(x, y) {
    if (!this.webgl || !this._snapshot) return null;
    const rect = this.canvas.getBoundingClientRect();
    const toView = rect.width > 0 ? this.size / rect.width : 1;   // CSS may scale the canvas
    this.camera.updateMatrixWorld();
    const dots = this.samples.geometry.attributes.position?.array;
    const dot = dots ? this._nearestOnScreen(dots, this._samplesShown, x * toView, y * toView, LOOK.pickSamplePx * toView) : -1;
    if (dot >= 0) return { sample: this._sampleIndex[dot] };
    const weight = this._nearestOnScreen(this._tips, this._classes, x * toView, y * toView, LOOK.pickWeightPx * toView);
    return weight >= 0 ? { weight } : null;
  }

  /** Light up sample i (its index in the snapshot) or none (null): a ring round its
   *  dot, and great-circle arcs from it to its own class's weight and to the nearest
   *  other's (sampleFacts' label and other). A change is one render; nothing is rebuilt.
   *  The focus stays on index i through later snapshots (the same samples, in order). */
  setFocus(i) {
    const focus = Number.isInteger(i) && i >= 0 ? i : null;
    if (focus === this._focus) return;
    this._focus = focus;
    if (!this.webgl) return;
    this._placeFocus();
    this._render();
  }

  /** Where sample i's dot is on screen, [x, y] in CSS px in the canvas (pick's
   *  coordinates), or null when it has no dot or the sphere hides it. */
  samplePosition(i) {
    const dot = this.webgl && Number.isInteger(i) && i >= 0 && i < (this._samplesGiven ?? 0) ? this._dotOf[i] : -1;
    if (dot < 0) return null;
    const p = this.samples.geometry.attributes.position.array, eye = this.camera.position;
    if (behindUnitSphere(p[DIM * dot], p[DIM * dot + 1], p[DIM * dot + 2], eye.x, eye.y, eye.z)) return null;
    this.camera.updateMatrixWorld();
    const v = this._onScreen.fromArray(p, DIM * dot).project(this.camera);
    return [(v.x + 1) / 2 * this.size, (1 - v.y) / 2 * this.size];
  }

  /** For tests: the force arrows as the GPU buffer holds them, { visible, arrows: [{ on:
   *  'sample' | 'weight', index, part: 'base' | 'iam', origin, step, color }] }, where step
   *  is tip − start in world units (sphere radii) and color linear RGB. */
  debugArrows() {
    const arrows = this.forceArrows;
    if (!arrows?.mesh.visible) return { visible: false, arrows: [] };
    return { visible: true, arrows: arrows.read() };
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

  // Sub-centers (K > 1): every one but the dominant (which is the arrow) as a faint
  // line out of the surface to the arrows' length, with a dot at its end, in its class colour.
  _buildSubcenters() {
    const material = new THREE.LineBasicMaterial({ vertexColors: true, transparent: true, opacity: LOOK.subcenterOpacity });
    this.subcenterLines = new THREE.LineSegments(new THREE.BufferGeometry(), material);
    this.subcenterTips = new THREE.Points(new THREE.BufferGeometry(), new THREE.PointsMaterial({
      map: makeDotTexture(), vertexColors: true, transparent: true, opacity: LOOK.subcenterOpacity, size: 0.1,
      sizeAttenuation: true, depthWrite: false, alphaTest: 0.05,
    }));
    for (const obj of [this.subcenterLines, this.subcenterTips]) { obj.frustumCulled = false; obj.visible = false; this.scene.add(obj); }
  }

  /** The faint sub-centers of a snapshot (snapshot.subcenters: { weights (c·K rows), dominant }). */
  _placeSubcenters(snapshot) {
    const sc = snapshot.subcenters, classes = this._classes;
    const rows = sc ? Math.floor(sc.weights.length / DIM) : 0, K = classes > 0 ? Math.floor(rows / classes) : 0;
    const faint = [];
    for (let r = 0; K > 1 && r < classes * K; r++) {
      const j = Math.floor(r / K), [x, y, z] = sc.weights.subarray(DIM * r, DIM * r + DIM), n = Math.hypot(x, y, z);
      if (r !== j * K + sc.dominant[j] && n > 1e-12) faint.push([x / n, y / n, z / n, j]);
    }
    this._subcentersDrawn = faint.length;
    for (const obj of [this.subcenterLines, this.subcenterTips]) obj.visible = faint.length > 0;
    if (!faint.length) return;
    const line = new Float32Array(faint.length * 6), lineColor = new Float32Array(faint.length * 6);
    const tip = new Float32Array(faint.length * 3), tipColor = new Float32Array(faint.length * 3);
    const solid = this._colors.solid, end = LOOK.arrowShaftLength + LOOK.arrowHeadLength;
    faint.forEach(([x, y, z, j], k) => {
      line.set([x, y, z, x * end, y * end, z * end], 6 * k);
      tip.set([x * end, y * end, z * end], 3 * k);
      const c = solid.subarray(3 * j, 3 * j + 3);
      lineColor.set([...c, ...c], 6 * k);
      tipColor.set(c, 3 * k);
    });
    this.subcenterLines.geometry.setAttribute('position', new THREE.BufferAttribute(line, 3));
    this.subcenterLines.geometry.setAttribute('color', new THREE.BufferAttribute(lineColor, 3));
    this.subcenterTips.geometry.setAttribute('position', new THREE.BufferAttribute(tip, 3));
    this.subcenterTips.geometry.setAttribute('color', new THREE.BufferAttribute(tipColor, 3));
  }

  /** How many faint sub-centers the last update drew (the tests read it). */
  subcentersDrawn() { return this._subcentersDrawn ?? 0; }

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

  _buildForces() {
    this.forceArrows = new ArrowMesh();
    this.focusMarks = new FocusMarks();
    this._onScreen = new THREE.Vector3();   // pick()'s scratch
    this.scene.add(this.forceArrows.mesh, this.focusMarks.arcs, this.focusMarks.halo);
  }

  _setClassCount(classes) {
    this._classes = classes;
    this._colors = classColorsLinear(classes);
    this._tips = new Float32Array(classes * DIM);   // the weight arrows' tips, for pick()
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

  _placeSamples(embedding, labels, classes, norms = null) {
    const n = Math.min(Math.floor((embedding?.length ?? 0) / DIM), labels?.length ?? 0);
    const geometry = this.samples.geometry;
    if (n > this._sampleCapacity) {
      this._sampleCapacity = Math.max(n, 2 * this._sampleCapacity, 64);
      geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(this._sampleCapacity * 3), 3));
      geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(this._sampleCapacity * 3), 3));
      // which sample each dot is (a bad sample has no dot), and which dot each sample has (−1: none)
      this._sampleIndex = new Int32Array(this._sampleCapacity);
      this._dotOf = new Int32Array(this._sampleCapacity);
    }
    this._samplesGiven = n;
    if (!this._sampleCapacity) return;
    this._dotOf.fill(-1, 0, n);
    const pos = geometry.attributes.position.array, col = geometry.attributes.color.array;
    const solid = this._colors.solid;
    let shown = 0;
    for (let i = 0; i < n; i++) {
      const x = embedding[i * 3], y = embedding[i * 3 + 1], z = embedding[i * 3 + 2];
      const norm = Math.hypot(x, y, z), label = labels[i];
      if (!Number.isFinite(norm) || norm < 1e-12 || !(label >= 0 && label < classes)) continue;
      // re-normalize: the dots must sit on the sphere even if a feature is not quite unit
      const lift = norms && Number.isFinite(norms[i]) ? (LOOK.normLift * norms[i]) / this._normTop : 0;
      const scale = (LOOK.sampleRadius + lift) / norm;
      pos[shown * 3] = x * scale; pos[shown * 3 + 1] = y * scale; pos[shown * 3 + 2] = z * scale;
      col[shown * 3] = solid[label * 3]; col[shown * 3 + 1] = solid[label * 3 + 1]; col[shown * 3 + 2] = solid[label * 3 + 2];
      this._sampleIndex[shown] = i;
      this._dotOf[i] = shown;
      shown++;
    }
    this._samplesShown = shown;
    geometry.setDrawRange(0, shown);
    geometry.attributes.position.needsUpdate = true;
    geometry.attributes.color.needsUpdate = true;
  }

  /** The force arrows of a snapshot: two per shown dot (its sample's base and IAM
   *  steps) and two per class weight, at its tip (scaled by ‖W_j‖: descentStep). A
   *  snapshot without forces, or with rows missing, draws none of those. */
  _placeForces(snapshot) {
    const arrows = this.forceArrows, f = snapshot.forces ?? {}, classes = this._classes, shown = this._samplesShown ?? 0;
    const hasRows = (a, rows) => a && a.length >= rows * DIM;
    const row = (a, k) => a.subarray(DIM * k, DIM * k + DIM);
    arrows.reset(2 * shown + 2 * classes);
    const dots = this.samples.geometry.attributes.position?.array, u = this._unit ??= new Float64Array(DIM);
    if (dots && hasRows(f.base, this._samplesGiven) && hasRows(f.iam, this._samplesGiven)) {
      for (let dot = 0; dot < shown; dot++) {
        const i = this._sampleIndex[dot];
        for (let c = 0; c < DIM; c++) u[c] = dots[DIM * dot + c] / LOOK.sampleRadius;
        arrows.push(u, LOOK.forceLift, descentStep(row(f.base, i), u, 'sample'), i, 0);
        arrows.push(u, LOOK.forceLift, descentStep(row(f.iam, i), u, 'sample'), i, 1);
      }
    }
    const norms = snapshot.weightNorms;
    if (hasRows(f.weightBase, classes) && hasRows(f.weightIam, classes) && norms?.length >= classes) {
      for (let j = 0; j < classes; j++) {
        if (!this._weights.valid[j] || !(norms[j] > 0)) continue;
        const w = row(this._weights.dirs, j);
        arrows.push(w, WEIGHT_TIP_RADIUS, descentStep(row(f.weightBase, j), w, 'weight', norms[j]), j, 2);
        arrows.push(w, WEIGHT_TIP_RADIUS, descentStep(row(f.weightIam, j), w, 'weight', norms[j]), j, 3);
      }
    }
    arrows.commit();
  }

  /** The focused sample's ring and arcs, for the snapshot on show (hidden when that
   *  sample has no dot). The nearest other class is the card's (sampleFacts). */
  _placeFocus() {
    const marks = this.focusMarks, i = this._focus, snap = this._snapshot;
    const dot = i !== null && snap && i < (this._samplesGiven ?? 0) ? this._dotOf[i] : -1;
    if (dot < 0) { marks.hide(); return; }
    const position = this.samples.geometry.attributes.position.array.subarray(DIM * dot, DIM * dot + DIM);
    const u = Array.from(position, (v) => v / LOOK.sampleRadius);
    const label = snap.labels[i], other = snap.forces ? sampleFacts(snap, i).other : -1;
    const weight = (j) => (j >= 0 && j < this._classes && this._weights.valid[j]
      ? { dir: this._weights.dirs.subarray(DIM * j, DIM * j + DIM), color: new THREE.Color().fromArray(this._colors.solid, DIM * j) }
      : null);
    marks.show(position, u, weight(label), weight(other), this.camera.position.toArray());
  }

  _describe() {
    const s = this._snapshot;
    const text = describeView({
      loss: s?.loss, classes: s?.classes ?? 0, samples: this._samplesShown ?? 0,
      pair: this._pair, limitDeg: s?.metrics?.packing_limit_deg, forces: this._forcesOn && !!s?.forces,
    }) + (this._normTop ? ` Each dot's height above the sphere is its feature norm ‖x‖, the highest ${this._normTop.toFixed(1)}.` : '');
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
    this.text.draw(this._cornerText(), this._arcLabel(), this._forceKey());
    r.render(this.text.scene, this.text.camera);
  }

  _cornerText() {
    const norm = this._normTop ? ' · height ∝ ‖x‖' : '';
    if (!this._pair) return norm ? norm.slice(3) : null;
    const limit = this._snapshot?.metrics?.packing_limit_deg;
    return `min angle ${formatDeg(this._pair.deg)}` + (Number.isFinite(limit) ? ` / limit ${formatDeg(limit)}` : '') + norm;
  }

  /** AdaFace, MagFace: the norm of the highest dot (at normLift above the sphere), else null. */
  normScale() { return this._normTop ? { norm: this._normTop, lift: LOOK.normLift } : null; }

  /** The arrows' key (TextLayer's drawKey) while the forces are on: its bar is as long
   *  as a sample arrow of |∇| = ARROWS.sample.half, face-on at the front of the sphere. */
  _forceKey() {
    if (!this._forcesOn || !this.forceArrows.mesh.visible) return null;
    const lines = [['base loss −∇ ⟶', FORCE_COLORS.base]];
    if (this._snapshot?.loss?.beta > 0) lines.push(['IAM −∇ ⟶', FORCE_COLORS.iam]);
    const depth = this.camera.position.length() - LOOK.forceLift;
    const pxPerRadius = this.size / (2 * depth * Math.tan(LOOK.fovDeg / 2 / DEG));
    const half = ARROWS.sample.half;
    return { lines, barPx: pxPerRadius * arrowLength(half, 'sample'), barGradient: half };
  }

  /** The point (count × 3 floats) nearest to (x, y) in view px, within reach px, that the
   *  unit sphere does not hide; its index, or −1. */
  _nearestOnScreen(points, count, x, y, reach) {
    const camera = this.camera, eye = camera.position, v = this._onScreen;
    let best = -1, bestSq = reach * reach;
    for (let k = 0; k < count; k++) {
      const px = points[DIM * k], py = points[DIM * k + 1], pz = points[DIM * k + 2];
      if (!Number.isFinite(px) || behindUnitSphere(px, py, pz, eye.x, eye.y, eye.z)) continue;
      v.set(px, py, pz).project(camera);
      const dx = (v.x + 1) / 2 * this.size - x, dy = (1 - v.y) / 2 * this.size - y;
      if (dx * dx + dy * dy <= bestSq) { bestSq = dx * dx + dy * dy; best = k; }
    }
    return best;
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
