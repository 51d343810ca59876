import type { PredictResponse } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-probability-bars.js';

/** The drawing's resolution: a Fashion-MNIST image. */
const SIDE = 28;

/** An image to predict: a dropped file, or the drawing as PNG. */
interface Candidate {
  blob: Blob;
  name: string;
}

/**
 * "Try it": predicts one image with the model, from a dropped (or chosen) file of any size or
 * colour, or from a drawing on a 28×28 canvas (white on black, as Fashion-MNIST's images are),
 * and shows the predicted class with every probability.
 */
@customElement('kiln-try-it')
export class KilnTryIt extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .inputs {
        display: flex;
        flex-wrap: wrap;
        gap: 1.25rem;
        align-items: flex-start;
      }
      .drop {
        border: 2px dashed var(--kiln-border-strong, #8c959f);
        border-radius: 8px;
        padding: 1rem;
        width: min(100%, 18rem);
        min-height: 12rem;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        justify-content: center;
        text-align: center;
      }
      .drop.over {
        border-color: var(--kiln-primary, #1f6f3f);
        background: #dafbe1;
      }
      canvas {
        width: 196px;
        height: 196px;
        image-rendering: pixelated;
        background: #000;
        border-radius: 6px;
        touch-action: none;
        cursor: crosshair;
        display: block;
      }
      .result {
        margin-top: 1rem;
        max-width: 36rem;
      }
      .verdict {
        font-size: 1.15rem;
        margin: 0 0 0.5rem;
      }
    `,
  ];

  /** The serving container that serves the model, by its name behind the gateway. */
  @property() container = '';
  /** The model to ask. */
  @property() model = '';
  /** A version to ask instead of the champion. */
  @property({ type: Number }) version: number | undefined;

  @state() private _over = false;

  @query('canvas') private _canvas!: HTMLCanvasElement;

  @consume({ context: apiContext }) private _api!: KilnApi;

  #drawing = false;
  #last: { x: number; y: number } | null = null;

  private _prediction = new Task(this, {
    task: ([candidate]: [Candidate], { signal }) => {
      signal.throwIfAborted();
      return this._api
        .serving(this.container)
        .predict(this.model, candidate.blob, candidate.name, this.version);
    },
    autoRun: false,
  });

  override firstUpdated(): void {
    this._clear();
  }

  override render() {
    return html`
      <div class="inputs">
        <div
          class="drop ${this._over ? 'over' : ''}"
          @dragover=${this._onDragOver}
          @dragleave=${() => (this._over = false)}
          @drop=${this._onDrop}
        >
          <p>Drop an image here (PNG, JPEG or PGM, any size), or</p>
          <label class="button">
            Choose an image
            <input
              class="visually-hidden"
              type="file"
              accept="image/png,image/jpeg,.pgm"
              aria-label="Image file"
              @change=${this._onChoose}
            />
          </label>
        </div>
        <div>
          <canvas
            width=${SIDE}
            height=${SIDE}
            aria-label="Drawing canvas, 28 by 28 pixels: draw a piece of clothing in white"
            @pointerdown=${this._onPointerDown}
            @pointermove=${this._onPointerMove}
            @pointerup=${this._onPointerUp}
            @pointerleave=${this._onPointerUp}
          ></canvas>
          <div class="actions">
            <button type="button" class="primary" @click=${this._onPredictDrawing}>
              Predict the drawing
            </button>
            <button type="button" @click=${this._clear}>Clear</button>
          </div>
        </div>
      </div>
      <div class="result" aria-live="polite">
        ${this._prediction.render({
          initial: () => nothing,
          pending: () => html`<p class="muted" role="status">Predicting…</p>`,
          error: (error) =>
            html`<p class="error-box" role="alert">Could not predict: ${describeError(error)}</p>`,
          complete: (answer) => this._renderAnswer(answer),
        })}
      </div>
    `;
  }

  private _renderAnswer(answer: PredictResponse) {
    const confidence = answer.probabilities[answer.label] ?? 0;
    return html`<p class="verdict">
        <strong>${answer.class}</strong> (${(confidence * 100).toFixed(1)}%), by version
        ${answer.version}
      </p>
      <kiln-probability-bars
        .classes=${answer.classes}
        .probabilities=${answer.probabilities}
        label=${answer.label}
      ></kiln-probability-bars>
      <p class="muted">Prediction <code>${answer.predictionId}</code></p>`;
  }

  private _predict(candidate: Candidate): void {
    void this._prediction.run([candidate]);
  }

  private _onChoose(event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) this._predict({ blob: file, name: file.name });
    input.value = '';
  }

  private _onDragOver(event: DragEvent): void {
    event.preventDefault();
    this._over = true;
  }

  private _onDrop(event: DragEvent): void {
    event.preventDefault();
    this._over = false;
    const file = event.dataTransfer?.files[0];
    if (file) this._predict({ blob: file, name: file.name });
  }

  private _clear(): void {
    const context = this._canvas.getContext('2d');
    if (!context) return;
    context.fillStyle = '#000';
    context.fillRect(0, 0, SIDE, SIDE);
  }

  /** The pointer's position in canvas pixels. */
  private _point(event: PointerEvent): { x: number; y: number } {
    const box = this._canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * SIDE,
      y: ((event.clientY - box.top) / box.height) * SIDE,
    };
  }

  private _onPointerDown(event: PointerEvent): void {
    this.#drawing = true;
    this._canvas.setPointerCapture?.(event.pointerId);
    this.#last = this._point(event);
    this._stroke(this.#last);
  }

  private _onPointerMove(event: PointerEvent): void {
    if (this.#drawing) this._stroke(this._point(event));
  }

  private _onPointerUp(): void {
    this.#drawing = false;
    this.#last = null;
  }

  /** A soft white line from the last point: grey edges, as in Fashion-MNIST's images. */
  private _stroke(to: { x: number; y: number }): void {
    const context = this._canvas.getContext('2d');
    if (!context) return;
    const from = this.#last ?? to;
    context.strokeStyle = '#fff';
    context.lineWidth = 2.5;
    context.lineCap = 'round';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x + 0.01, to.y);
    context.stroke();
    this.#last = to;
  }

  private _onPredictDrawing(): void {
    this._canvas.toBlob((blob) => {
      if (blob) this._predict({ blob, name: 'drawing.png' });
    }, 'image/png');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-try-it': KilnTryIt;
  }
}
