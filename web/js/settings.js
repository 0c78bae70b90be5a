// The app's settings: one schema for what the URL and the controls can say.
//
// A setting has one name everywhere: the URL parameter, the field of the settings object and the
// `data-setting` attribute (and `name`) of its control. The controls are drawn from the schema;
// sizes, the face limit and the parts come from models/manifest.json. A setting's kind says what
// it holds: 'choice' (the default) one of its values; 'set' a list of its values, comma-separated
// in the URL (`parts=hair,u_lip,l_lip`; the legend is its control); 'range' a whole number from
// min to max; 'color' a colour, `ff3366` in the URL and `#ff3366` in the settings.

import { BACKEND_LABELS, ENGINE_LABELS, PRECISION_LABELS } from '../../worker/runner.js';
import { EFFECT_LABELS } from './effects/effects.js';

export function settingsSchema(manifest) {
  return {
    engine: { values: Object.keys(ENGINE_LABELS), default: 'auto', restartsModel: true, labels: ENGINE_LABELS },
    backend: { values: Object.keys(BACKEND_LABELS), default: 'auto', restartsModel: true, labels: BACKEND_LABELS },
    // The parser's arithmetic, where the engine and backend have it (worker/engine-choice.js).
    precision: { values: manifest.precisions, default: manifest.default_precision, restartsModel: true, labels: PRECISION_LABELS },
    size: { values: manifest.sizes, default: manifest.default_size },
    // Its control is a checkbox: checked means the second value.
    thread: { values: ['worker', 'main'], default: 'worker', restartsModel: true },
    faces: { values: ['off', 'on'], default: 'on' },
    maxFaces: {
      values: Array.from({ length: manifest.detector.faces.max }, (_, i) => i + 1),
      default: manifest.detector.faces.default_max,
    },
    // The parts the overlay and the colour export show.
    parts: { kind: 'set', values: manifest.classes.map((cls) => cls.name), default: manifest.classes.map((cls) => cls.name) },
    // Label hysteresis on video (faceparts/steady.py).
    steady: { values: ['off', 'on'], default: 'on' },
    opacity: { kind: 'range', min: 0, max: 100, default: 60 },
    effect: { values: Object.keys(EFFECT_LABELS), default: 'none', labels: EFFECT_LABELS },
    strength: { kind: 'range', min: 0, max: 100, default: 60 },
    color: { kind: 'color', default: '#d0306a' },
    // 'parsed': the picture shown is the frame that was parsed, with its parse; 'live': the live
    // video, with the latest parse over it (it lags behind a moving head).
    video: { values: ['parsed', 'live'], default: 'parsed' },
    // How the picture and its effect are drawn: 'auto' tries WebGL2, then Canvas 2D.
    render: { values: ['auto', 'webgl', '2d'], default: 'auto', labels: { auto: 'Auto', webgl: 'WebGL2', '2d': 'Canvas 2D' } },
  };
}

// Per kind: text (URL or control) -> value, undefined when not allowed; what is allowed, in
// words; value -> URL text.
const KINDS = {
  choice: {
    parse: (spec, text) => spec.values.find((value) => String(value) === text),
    allowed: (spec) => `one of ${spec.values.join(', ')}`,
    format: String,
  },
  set: {
    // The values in the schema's order.
    parse(spec, text) {
      const named = text === '' ? [] : text.split(',');
      if (named.some((name) => !spec.values.includes(name))) return undefined;
      return spec.values.filter((value) => named.includes(String(value)));
    },
    allowed: (spec) => `a list of ${spec.values.join(', ')}`,
    format: (value) => value.join(','),
  },
  range: {
    parse: (spec, text) => (/^\d+$/.test(text) && Number(text) >= spec.min && Number(text) <= spec.max ? Number(text) : undefined),
    allowed: (spec) => `a whole number from ${spec.min} to ${spec.max}`,
    format: String,
  },
  color: {
    parse: (spec, text) => (/^#?[0-9a-f]{6}$/i.test(text) ? `#${text.replace('#', '').toLowerCase()}` : undefined),
    allowed: () => 'a colour written as six hex digits, like ff3366',
    format: (value) => value.slice(1),
  },
};

const kindOf = (spec) => KINDS[spec.kind ?? 'choice'];
const parseValue = (spec, text) => kindOf(spec).parse(spec, text);

const sameValue = (a, b) => (Array.isArray(a) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b);

// The URL query for these settings: the ones that differ from their default.
export function settingsQuery(settings, schema) {
  const params = new URLSearchParams();
  for (const [name, spec] of Object.entries(schema)) {
    if (!sameValue(settings[name], spec.default)) params.set(name, kindOf(spec).format(settings[name]));
  }
  const query = params.toString().replaceAll('%2C', ',');
  return query ? `?${query}` : '';
}

// Writes the settings into the page's URL (history.replaceState). whenResting: a slider being
// dragged writes once it rests, since browsers throttle a page that rewrites its URL too often.
let urlTimer = null;
export function writeSettingsUrl(settings, schema, { whenResting = false } = {}) {
  clearTimeout(urlTimer);
  const write = () => history.replaceState(null, '', `${location.pathname}${settingsQuery(settings, schema)}`);
  if (whenResting) urlTimer = setTimeout(write, 150);
  else write();
}

// URL query -> {settings, explicit: names given in the URL, problems: messages for the user}.
// Unknown parameters and values are reported, never silently dropped.
export function parseSettings(search, schema) {
  const params = new URLSearchParams(search);
  const settings = Object.fromEntries(Object.entries(schema).map(([name, spec]) => [name, structuredClone(spec.default)]));
  const explicit = new Set();
  const problems = [];
  for (const [name, text] of params) {
    const spec = schema[name];
    if (!spec) {
      problems.push(`The URL parameter "${name}" is unknown and was ignored (known: ${Object.keys(schema).join(', ')}).`);
      continue;
    }
    const value = parseValue(spec, text);
    if (value === undefined) {
      const used = spec.kind === 'set' ? 'all are shown' : `${kindOf(spec).format(spec.default)} is used`;
      problems.push(`${name}=${text} is not ${kindOf(spec).allowed(spec)}: ${used}.`);
      continue;
    }
    settings[name] = value;
    explicit.add(name);
  }
  return { settings, explicit, problems };
}

// Fills each [data-setting] control from the schema and shows `settings`; calls
// onChange(name, value) when the user changes one. Returns show(settings) for later changes
// made by the app itself (a fallback to WASM, a move to the main thread).
export function bindControls(root, schema, settings, onChange) {
  const controls = Object.fromEntries([...root.querySelectorAll('[data-setting]')].map((control) => [control.dataset.setting, control]));
  for (const [name, control] of Object.entries(controls)) {
    const spec = schema[name];
    if (!spec) throw new Error(`control for an unknown setting "${name}"`);
    control.name = name;
    if (control.tagName === 'SELECT') {
      control.replaceChildren(...spec.values.map((value) => new Option(spec.labels?.[value] ?? String(value), String(value))));
    }
    if (spec.kind === 'range') Object.assign(control, { min: spec.min, max: spec.max });
    control.addEventListener(['range', 'color'].includes(control.type) ? 'input' : 'change', () => onChange(name, readControl(control, spec)));
  }
  const show = (current) => {
    for (const [name, control] of Object.entries(controls)) {
      if (control.type === 'checkbox') control.checked = current[name] === schema[name].values[1];
      else control.value = String(current[name]);
    }
  };
  show(settings);
  return show;
}

function readControl(control, spec) {
  if (control.type === 'checkbox') return spec.values[control.checked ? 1 : 0];
  return parseValue(spec, control.value);
}
