// The effects: what each one does to which parts, as numbers both painters (WebGL2 and Canvas 2D)
// draw alike. Pure functions, tested under node.
//
// An effect changes the pixels of a region (a class group from the manifest's `groups`) or of
// everything outside it (`outside`), by one of these operations:
//   blur      a Gaussian blur                 replace   a colour, or an image the user gives
//   colorize  the 'color' blend of the compositing spec: the region takes the chosen colour's
//             hue and chroma and keeps its own lightness (its light and texture), by `strength`
//   pixelate  square blocks of the region's mean colour

export const EFFECT_LABELS = {
  none: 'None',
  blur: 'Background blur',
  replace: 'Background replace',
  hair: 'Hair colour',
  lips: 'Lip tint',
  anonymise: 'Anonymise face',
};

const EFFECTS = {
  none: null,
  blur: { group: 'person', outside: true, operation: 'blur' },
  replace: { group: 'person', outside: true, operation: 'replace' },
  hair: { group: 'hair', outside: false, operation: 'colorize' },
  lips: { group: 'lips', outside: false, operation: 'colorize' },
  anonymise: { group: 'face', outside: false, operation: 'pixelate' },
};

// What a painter needs to draw one effect on a width x height frame parsed at `size` px:
//   null for none, else {operation, weights: Uint8Array(256) (255 where the effect applies, by
//   class id), sigma (blur, px), block (pixelate, px), amount (colorize, 0..1), color [r, g, b]
//   (0..255), soft (px: how far the mask is smoothed at class borders)}.
// settings: {effect, strength (0..100), color ('#rrggbb')}; classes and groups from the manifest.
export function planEffect(settings, { classes, groups }, { height, width, size }) {
  const effect = EFFECTS[settings.effect];
  if (effect === undefined) throw new Error(`unknown effect "${settings.effect}"`);
  if (!effect) return null;
  const inGroup = new Set(groups[effect.group]);
  const weights = new Uint8Array(256);
  for (const cls of classes) weights[cls.id] = inGroup.has(cls.name) !== effect.outside ? 255 : 0;
  const longSide = Math.max(height, width);
  const strength = settings.strength / 100;
  return {
    operation: effect.operation,
    weights,
    sigma: Math.max(0.5, strength * longSide / 40),
    block: Math.max(2, Math.round(4 + strength * longSide / 24)),
    amount: strength,
    color: parseColor(settings.color),
    soft: softness({ height, width, size }),
  };
}

// Class borders are smoothed over about one parse pixel as the frame sees it: a parse at `size`
// stretched to the frame's long side has blocks of longSide/size frame pixels.
export function softness({ height, width, size }) {
  return Math.max(1, Math.max(height, width) / size / 2);
}

export function parseColor(text) {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (!match) throw new Error(`not a colour: "${text}"`);
  return match.slice(1).map((hex) => parseInt(hex, 16));
}

// The class colours would hide an effect: choosing one clears an overlay left at its default
// opacity, and choosing none brings the default back if the overlay was cleared. Any other
// opacity is the user's own choice and stays.
export function overlayOpacityAfter(effect, opacity, standard) {
  if (effect !== 'none' && opacity === standard) return 0;
  if (effect === 'none' && opacity === 0) return standard;
  return opacity;
}

// Scales an image to cover the frame, centred, as CSS object-fit: cover.
export function coverRect(imageHeight, imageWidth, height, width) {
  const scale = Math.max(width / imageWidth, height / imageHeight);
  const w = imageWidth * scale;
  const h = imageHeight * scale;
  return { x: (width - w) / 2, y: (height - h) / 2, w, h };
}
