/** The ten Fashion-MNIST classes, indexed by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Height and width of a Fashion-MNIST image. */
export const IMAGE_SIZE = 28;
