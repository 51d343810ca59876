/**
 * The dashboard container's entry, run directly (`node containers/dashboard/dist/main.js`): the
 * service of ./service.ts with this process's environment, stopped on SIGTERM or SIGINT.
 */
import { runService } from '@kiln/api';
import { startService } from './service.js';

runService('dashboard', startService);
