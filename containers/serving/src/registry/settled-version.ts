import { isSettledVersionStatus, type ModelVersionInfo } from '@kiln/api';
import type { ServingEvents } from '../events/serving-events.js';

/**
 * A version once it is no longer `loading`, or as it is after `seconds` (the long-poll of
 * `GET /models/{model}/versions/{v}?wait=`): `read` gives it now, `events` say when it settles.
 */
export async function settledVersion(
  events: ServingEvents,
  read: () => ModelVersionInfo,
  seconds: number,
): Promise<ModelVersionInfo> {
  const now = read();
  if (seconds <= 0 || isSettledVersionStatus(now.status)) return now;
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      stop();
      resolve(read());
    };
    const timer = setTimeout(finish, seconds * 1000);
    const stop = events.on('version', (info) => {
      const same = info.model === now.model && info.version === now.version;
      if (same && isSettledVersionStatus(info.status)) finish();
    });
  });
}
