import { createContext } from '@lit/context';
import type { KilnApi } from './kiln-api.js';

/** The API client, provided by `<kiln-app>` to every element below it. */
export const apiContext = createContext<KilnApi>(Symbol('kiln-api'));
