// stories.js: presets that tell LOSSES.md's story in one click each, with a caption
// that says what to watch. Each sets part of the state; the rest keeps its value.

export const STORIES = [
  {
    id: 'margins',
    title: 'Margins on a circle',
    state: { data: 'blobs', classes: 6, dim: 2, panels: ['normface', 'sphereface', 'cosface', 'arcface'], beta: 0.5 },
    caption: 'Four losses, one network, the same data and the same start. Watch the outer ring: NormFace splits ' +
      'directions at θ₁ = θ₂ with no gap; CosFace (cos θ₁ − m = cos θ₂) and ArcFace (θ₁ + m = θ₂) keep a grey ' +
      'margin band between neighbours that no class owns; SphereFace (mθ₁ = θ₂) widens it with the angle. ' +
      'The samples are pulled out of the band toward their spokes.',
  },
  {
    id: 'room-circle',
    title: 'IAM has room: 4 classes on a circle',
    state: { data: 'blobs', classes: 4, dim: 2, panels: ['normface', 'normface+iam', 'arcface', 'arcface+iam'], beta: 0.5 },
    caption: 'Four classes fit on a circle at 90° apart (the packing limit). Without IAM the angles between ' +
      'neighbouring spokes stay uneven; with IAM (β = 0.5) the closest pair is pushed hardest, and all four ' +
      'gaps open toward 90°. Watch the red label, the smallest angle, climb.',
  },
  {
    id: 'room-sphere',
    title: 'IAM has room: 8 classes on a sphere',
    state: { data: 'blobs', classes: 8, dim: 3, panels: ['normface', 'normface+iam', 'arcface', 'arcface+iam'], beta: 0.5 },
    caption: 'Eight directions in 3-D can be at most 74.9° apart (the Tammes limit). IAM drives the smallest ' +
      'angle (the red arc) toward it; without IAM it settles lower. Drag a sphere to turn it.',
  },
  {
    id: 'crowded',
    title: 'Crowded circle: IAM merges pairs',
    state: { data: 'blobs', classes: 8, dim: 2, panels: ['normface', 'normface+iam', 'arcface', 'arcface+iam'], beta: 0.5 },
    caption: 'Eight classes on a circle leave no room. IAM’s reward never saturates, so giving up one pair of ' +
      'classes to widen every other gap lowers the total: watch two spokes fall together, the smallest angle ' +
      'drop toward 0°, and accuracy fall. Cross-entropy saturates and has no such trade.',
  },
  {
    id: 'sphereface-annealing',
    title: 'SphereFace needs annealing',
    state: { data: 'blobs', classes: 8, dim: 2, panels: ['sphereface', 'sphereface+fixed'], anneal: true, lambda: 0 },
    caption: 'Left: SphereFace as trained in the paper, λ annealed from 1000 (plain softmax) down to 5. Right: ' +
      'the bare mθ margin from the first step (λ fixed at 0). The bare margin is far harder to train: it ' +
      'starts slower and ends with a worse spread of classes. This is why SphereFace is always annealed.',
  },
];

export const storyById = (id) => STORIES.find((s) => s.id === id);
