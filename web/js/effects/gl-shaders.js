// The WebGL2 painter's shaders (GLSL ES 3.00), and the operation numbers the effect shader
// takes. Every texture's row 0 is the top of the frame.

export const VERTEX = `#version 300 es
void main() {
  // One triangle that covers the viewport.
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}`;

// One direction of a Gaussian blur, sampled from a texture at any size into the target's size.
export const BLUR = `#version 300 es
precision highp float;
uniform sampler2D source;
uniform vec2 targetSize;
uniform vec2 direction; // one source pixel along the blur, in uv
uniform float sigma;    // in source pixels
out vec4 color;
const int TAPS = 12;    // each side
void main() {
  vec2 uv = gl_FragCoord.xy / targetSize;
  float step = 3.0 * sigma / float(TAPS);
  vec4 sum = vec4(0.0);
  float total = 0.0;
  for (int i = -TAPS; i <= TAPS; i++) {
    float offset = float(i) * step;
    float weight = exp(-0.5 * offset * offset / (sigma * sigma));
    sum += weight * texture(source, uv + direction * offset);
    total += weight;
  }
  color = sum / total;
}`;

export const OPERATIONS = { none: 0, blur: 1, replace: 2, colorize: 3, pixelate: 4 };

export const EFFECT = `#version 300 es
precision highp float;
uniform sampler2D picture;
uniform sampler2D blurred;
uniform sampler2D labels;     // class ids / 255, frame size, nearest
uniform sampler2D weights;    // 256 x 1: 1 where the effect applies, by class id
uniform sampler2D background;
uniform int operation;
uniform bool hasBackground;
uniform vec4 backgroundRect;  // x, y, w, h in frame pixels (cover)
uniform vec2 frameSize;
uniform vec3 tint;
uniform float amount;
uniform float block;
uniform float soft;
out vec4 color;

float weightAt(vec2 px) {
  ivec2 p = clamp(ivec2(floor(px)), ivec2(0), ivec2(frameSize) - 1);
  int id = int(texelFetch(labels, p, 0).r * 255.0 + 0.5);
  return texelFetch(weights, ivec2(id, 0), 0).r;
}

// 3 x 3 binomial taps, soft px apart: the same spread as Canvas 2D's blur(soft / sqrt 2).
float maskAt(vec2 px) {
  float sum = 0.0;
  for (int dy = -1; dy <= 1; dy++) {
    for (int dx = -1; dx <= 1; dx++) {
      sum += float((2 - abs(dx)) * (2 - abs(dy))) * weightAt(px + vec2(dx, dy) * soft);
    }
  }
  return sum / 16.0;
}

// The 'color' blend of the W3C compositing spec, as Canvas 2D's 'color' operation does it.
float lum(vec3 c) { return dot(c, vec3(0.3, 0.59, 0.11)); }
vec3 clipColor(vec3 c) {
  float l = lum(c);
  float n = min(c.r, min(c.g, c.b));
  float x = max(c.r, max(c.g, c.b));
  if (n < 0.0) c = l + (c - l) * l / (l - n);
  if (x > 1.0) c = l + (c - l) * (1.0 - l) / (x - l);
  return c;
}
vec3 setLum(vec3 c, float l) { return clipColor(c + (l - lum(c))); }

vec3 blockMean(vec2 px) {
  vec2 origin = floor(px / block) * block;
  vec3 sum = vec3(0.0);
  for (int y = 0; y < 4; y++) {
    for (int x = 0; x < 4; x++) {
      vec2 at = min(origin + (vec2(x, y) + 0.5) * block / 4.0, frameSize - 0.5);
      sum += texture(picture, at / frameSize).rgb;
    }
  }
  return sum / 16.0;
}

void main() {
  // Row 0 of every texture is the top of the frame.
  vec2 px = vec2(gl_FragCoord.x, frameSize.y - gl_FragCoord.y);
  vec3 base = texture(picture, px / frameSize).rgb;
  if (operation == 0) { color = vec4(base, 1.0); return; }
  vec3 effect;
  if (operation == 1) effect = texture(blurred, px / frameSize).rgb;
  else if (operation == 2) effect = hasBackground ? texture(background, (px - backgroundRect.xy) / backgroundRect.zw).rgb : tint;
  else if (operation == 3) effect = mix(base, setLum(tint, lum(base)), amount);
  else effect = blockMean(px);
  color = vec4(mix(base, effect, maskAt(px)), 1.0);
}`;
