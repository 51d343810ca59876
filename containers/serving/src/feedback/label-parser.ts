import { ErrorCode, KilnError } from '@kiln/api';

function invalidLabel(detail: string, classes: readonly string[]): KilnError {
  const names = classes.map((name, i) => `${i} ${name}`).join(', ');
  return new KilnError(ErrorCode.InvalidLabel, detail, {
    status: 422,
    errors: [
      {
        path: '/label',
        message: `must be a class index (0–${classes.length - 1}) or a class name: ${names}`,
      },
    ],
  });
}

/**
 * A label as people give it, checked against a model's classes: a class index (`3`, or `"3"`
 * from a form or the command line) or a class name (`"Sneaker"`, matched without regard to
 * case). Anything else, or an index or name outside the classes, is a 422 `INVALID_LABEL`.
 *
 * @example
 * ```ts
 * parseLabel('sneaker', ['T-shirt/top', …, 'Sneaker', …]); // 7
 * parseLabel(7, classes); // 7
 * ```
 */
export function parseLabel(label: unknown, classes: readonly string[]): number {
  if (typeof label === 'number') {
    if (Number.isInteger(label) && label >= 0 && label < classes.length) return label;
    throw invalidLabel(`label ${label} is not a class of this model`, classes);
  }
  if (typeof label !== 'string' || label.trim() === '') {
    throw invalidLabel(`'label' must be a class index or a class name`, classes);
  }
  const text = label.trim();
  if (/^\d+$/.test(text)) return parseLabel(Number(text), classes);
  const exact = classes.indexOf(text);
  if (exact >= 0) return exact;
  const folded = classes.findIndex((name) => name.toLowerCase() === text.toLowerCase());
  if (folded >= 0) return folded;
  throw invalidLabel(`'${text.slice(0, 80)}' is not a class of this model`, classes);
}
