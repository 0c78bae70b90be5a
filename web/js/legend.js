// The legend: each class's colour, name and share of the picture, and the control of the `parts`
// setting: a part's button shows or hides it, "only" shows it alone, "All parts" shows them all.

const $ = (id) => document.getElementById(id);

// onChange(parts: class names in manifest order) when the user changes what is shown.
export function renderLegend(classes, onChange) {
  const list = $('legend');
  const names = classes.map((cls) => cls.name);
  const shown = () => [...list.children].filter((item) => item.classList.contains('shown')).map((item) => item.dataset.name);
  list.replaceChildren(...classes.map((cls) => {
    const item = document.createElement('li');
    item.dataset.classId = cls.id;
    item.dataset.name = cls.name;
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'part';
    toggle.title = `Show or hide ${cls.label} in the overlay`;
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = `rgb(${cls.color.join(',')})`;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = cls.label;
    toggle.append(swatch, name);
    toggle.addEventListener('click', () => {
      item.classList.toggle('shown');
      onChange(names.filter((part) => shown().includes(part)));
    });
    const share = document.createElement('span');
    share.className = 'share';
    const only = document.createElement('button');
    only.type = 'button';
    only.className = 'only';
    only.textContent = 'only';
    only.setAttribute('aria-label', `Show only ${cls.label}`);
    only.addEventListener('click', () => onChange([cls.name]));
    item.append(toggle, share, only);
    return item;
  }));
  $('parts-all').addEventListener('click', () => onChange(names));
}

// parts: the class names shown.
export function showParts(parts) {
  for (const item of $('legend').children) {
    const shown = parts.includes(item.dataset.name);
    item.classList.toggle('shown', shown);
    item.querySelector('.part').setAttribute('aria-pressed', String(shown));
  }
}

export function updateLegendShares(fractions) {
  const items = $('legend').children;
  for (let i = 0; i < items.length; i++) {
    const fraction = fractions[i] ?? 0;
    items[i].querySelector('.share').textContent = fraction > 0 ? `${(fraction * 100).toFixed(1)} %` : '';
    items[i].classList.toggle('absent', fraction === 0);
  }
}
