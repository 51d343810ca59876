/** Precision, recall and F1 of one class. */
export interface ClassMetrics {
  class: string;
  /** Images of this class in the set. */
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

/** What a set of predictions scores. */
export interface ClassificationMetrics {
  accuracy: number;
  correct: number;
  count: number;
  /** `matrix[true][predicted]`: counts. */
  confusionMatrix: number[][];
  perClass: ClassMetrics[];
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Accuracy, the confusion matrix and per-class precision, recall and F1. */
export function classificationMetrics(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  classes: readonly string[],
): ClassificationMetrics {
  const k = classes.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const truth = labels[i] as number;
    const predicted = predictions[i] as number;
    const row = matrix[truth];
    if (row) row[predicted] = (row[predicted] ?? 0) + 1;
    if (truth === predicted) correct++;
  }
  const perClass = classes.map((name, c) => {
    const tp = matrix[c]?.[c] ?? 0;
    const support = (matrix[c] ?? []).reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((sum, row) => sum + (row[c] ?? 0), 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return {
      class: name,
      support,
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
    };
  });
  const mean = (pick: (m: ClassMetrics) => number) =>
    ratio(
      perClass.reduce((s, m) => s + pick(m), 0),
      k,
    );
  return {
    accuracy: ratio(correct, labels.length),
    correct,
    count: labels.length,
    confusionMatrix: matrix,
    perClass,
    macroPrecision: mean((m) => m.precision),
    macroRecall: mean((m) => m.recall),
    macroF1: mean((m) => m.f1),
  };
}
