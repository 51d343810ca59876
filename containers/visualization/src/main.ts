/**
 * The visualization container's entry, run directly
 * (`node containers/visualization/dist/main.js`): the service of ./service.ts with this
 * process's environment, stopped on SIGTERM or SIGINT.
 */
import { runService } from '@kiln/api';
import { startService } from './service.js';

runService('visualization', startService);
