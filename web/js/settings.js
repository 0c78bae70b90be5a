// The app's settings: one schema for what the URL and the controls can say.
//
// A setting has one name everywhere: the URL parameter, the field of the settings object and the
// `data-setting` attribute (and `name`) of its control. The controls are drawn from the schema;
// sizes, the face limit and the parts come from models/manifest.json. A setting of kind 'set' is
// a list of its values, comma-separated in the URL (`parts=hair,u_lip,l_lip`); the legend is its
// control.

import { BACKEND_LABELS, ENGINE_LABELS } from '../../worker/runner.js';

export function settingsSchema(manifest) {
  return {
    engine: { values: Object.keys(ENGINE_LABELS), default: 'tfjs', restartsModel: true, labels: ENGINE_LABELS },
    backend: { values: Object.keys(BACKEND_LABELS), default: 'auto', restartsModel: true, labels: BACKEND_LABELS },
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
  };
}

const parseValue = (spec, text) => spec.values.find((value) => String(value) === text);

// A set's values in the schema's order; -> null when one is unknown.
function parseSet(spec, text) {
  const named = text === '' ? [] : text.split(',');
  if (named.some((name) => parseValue(spec, name) === undefined)) return null;
  return spec.values.filter((value) => named.includes(String(value)));
}

const sameValue = (a, b) => (Array.isArray(a) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b);

// The URL query for these settings: the ones that differ from their default.
export function settingsQuery(settings, schema) {
  const params = new URLSearchParams();
  for (const [name, spec] of Object.entries(schema)) {
    if (!sameValue(settings[name], spec.default)) params.set(name, [].concat(settings[name]).join(','));
  }
  const query = params.toString().replaceAll('%2C', ',');
  return query ? `?${query}` : '';
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
    const value = spec.kind === 'set' ? parseSet(spec, text) : parseValue(spec, text);
    if (value === undefined || value === null) {
      const used = spec.kind === 'set' ? 'all are shown' : `${spec.default} is used`;
      problems.push(`${name}=${text} is not ${spec.kind === 'set' ? 'a list of' : 'one of'} ${spec.values.join(', ')}: ${used}.`);
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
    control.addEventListener(control.type === 'range' ? 'input' : 'change', () => onChange(name, readControl(control, spec)));
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
