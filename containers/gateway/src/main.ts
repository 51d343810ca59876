#!/usr/bin/env node
/**
 * The gateway container's entry, run directly (`node containers/gateway/dist/main.js`): the
 * service of ./service.ts with this process's environment, stopped cleanly on SIGTERM or SIGINT.
 */
import { runService } from '@kiln/api';
import { startService } from './service.js';

runService('gateway', startService);
