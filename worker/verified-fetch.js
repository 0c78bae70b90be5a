// Fetches the app's own model and runtime files and checks each against the sha256 that setup
// recorded, so a missing or damaged file stops the app with a message naming it, instead of
// wrong parses, a runtime that silently falls back, or a page that hangs.

const SETUP_HINT = 'Run scripts/setup on the server, then reload the page.';

// Thrown for files that no backend or retry can do without: callers do not fall back on it.
export class AssetError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssetError';
  }
}

export function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
}

const pathOf = (url) => new URL(url, globalThis.location?.href).pathname.replace(/^\//, '');

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// -> Uint8Array of the file. `expected`: {sha256, bytes} as recorded at setup.
// onProgress(loadedBytes) is called as chunks arrive.
export async function fetchVerified(url, expected, onProgress) {
  const path = pathOf(url);
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new AssetError(`Could not download ${path} (${error.message}). Check that the server still runs, then reload the page.`);
  }
  if (!response.ok) {
    throw new AssetError(`${path} is missing on the server (HTTP ${response.status}). ${SETUP_HINT}`);
  }
  const chunks = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.(loaded);
  }
  const bytes = concatBytes(chunks);

  if (expected.bytes !== undefined && loaded !== expected.bytes) {
    throw new AssetError(`${path} is damaged: ${loaded} bytes instead of ${expected.bytes}. ${SETUP_HINT}`);
  }
  // crypto.subtle exists only in secure contexts (https, localhost), as does the camera.
  if (expected.sha256 && globalThis.crypto?.subtle && (await sha256Hex(bytes)) !== expected.sha256) {
    throw new AssetError(`${path} is damaged: its sha256 differs from the one recorded at setup. ${SETUP_HINT}`);
  }
  return bytes;
}

// Verifies files that another loader (Pyodide) downloads itself. The browser's HTTP cache
// serves the second request. Resolves when all are intact, rejects with the first AssetError.
export async function verifyFiles(entries) {
  await Promise.all(entries.map(([url, expected]) => fetchVerified(url, expected)));
}

// Reports one progress stream over several files: {stage, loaded, total} in bytes.
export function progressOver(stage, files, onProgress) {
  const total = files.reduce((sum, [, expected]) => sum + (expected.bytes ?? 0), 0);
  const loadedPerFile = new Map();
  return (url) => (loaded) => {
    loadedPerFile.set(url, loaded);
    let sum = 0;
    for (const value of loadedPerFile.values()) sum += value;
    onProgress?.({ stage, loaded: sum, total });
  };
}

// files: [[url, expected]] -> [Uint8Array], reported as one progress stream.
export async function fetchAllVerified(stage, files, onProgress) {
  const track = progressOver(stage, files, onProgress);
  return Promise.all(files.map(([url, expected]) => fetchVerified(url, expected, track(url))));
}
