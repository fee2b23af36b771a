// A tiny hand-drawn line chart on a <canvas>: a fixed window of the last N samples, one line per
// series, the y axis scaled to the largest visible value. No library, no animation.

export class LineChart {
  #canvas;
  #series;
  #format;
  #capacity;
  #emptyText;
  #samples = []; // one array of values (number | null) per sample

  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{ series: {label: string, color: string}[], format?: (v: number) => string,
   *           capacity?: number, emptyText?: string }} options
   */
  constructor(canvas, { series, format = (v) => v.toFixed(0), capacity = 60, emptyText = 'no data yet' }) {
    this.#canvas = canvas;
    this.#emptyText = emptyText;
    this.#series = series;
    this.#format = format;
    this.#capacity = capacity;
    this.draw();
  }

  /** Adds one sample: a value per series, in the order given to the constructor (null = no data). */
  push(...values) {
    this.#samples.push(values);
    if (this.#samples.length > this.#capacity) this.#samples.shift();
    this.draw();
  }

  /** The newest sample, for tests and the text readouts. */
  get latest() {
    return this.#samples.at(-1) ?? null;
  }

  draw() {
    const canvas = this.#canvas;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 300;
    const height = canvas.clientHeight || 80;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const pad = { top: 16, right: 6, bottom: 4, left: 6 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const values = this.#samples.flat().filter((v) => Number.isFinite(v));
    const max = niceMax(Math.max(0, ...values));

    // Grid: a baseline and a half-way line.
    ctx.strokeStyle = '#e3e7ee';
    ctx.lineWidth = 1;
    for (const f of [0, 0.5, 1]) {
      const y = Math.round(pad.top + plotH * (1 - f)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(pad.left + plotW, y);
      ctx.stroke();
    }

    // Lines.
    const step = plotW / Math.max(1, this.#capacity - 1);
    const x0 = pad.left + plotW - step * (this.#samples.length - 1);
    this.#series.forEach((s, i) => {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let drawing = false;
      this.#samples.forEach((sample, j) => {
        const v = sample[i];
        if (!Number.isFinite(v)) {
          drawing = false;
          return;
        }
        const x = x0 + j * step;
        const y = pad.top + plotH * (1 - (max > 0 ? v / max : 0));
        if (drawing) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        drawing = true;
      });
      ctx.stroke();
    });

    ctx.font = '11px system-ui, sans-serif';
    if (values.length === 0) {
      const w = ctx.measureText(this.#emptyText).width + 12;
      ctx.fillStyle = '#fbfcfd';
      ctx.fillRect(width / 2 - w / 2, pad.top + plotH / 2 - 8, w, 16);
      ctx.fillStyle = '#8a93a3';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(this.#emptyText, width / 2, pad.top + plotH / 2);
      ctx.textAlign = 'left';
    }

    // Legend (left) and scale (right).
    ctx.textBaseline = 'top';
    let lx = pad.left;
    this.#series.forEach((s, i) => {
      const last = this.latest?.[i];
      const text = `${s.label} ${Number.isFinite(last) ? this.#format(last) : '—'}`;
      ctx.fillStyle = s.color;
      ctx.fillRect(lx, 4, 8, 8);
      ctx.fillStyle = '#3b4352';
      ctx.fillText(text, lx + 11, 2);
      lx += ctx.measureText(text).width + 22;
    });
    if (values.length) {
      ctx.fillStyle = '#8a93a3';
      ctx.textAlign = 'right';
      ctx.fillText(`max ${this.#format(max)}`, width - pad.right, 2);
      ctx.textAlign = 'left';
    }
  }
}

// 1, 2 or 5 times a power of ten, at least v (and at least 1 so an idle chart has a scale).
function niceMax(v) {
  if (!(v > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
