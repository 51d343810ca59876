/** Server-Sent Event names on `/events`. */
export const KilnEventName = { Artifact: 'artifact' } as const;
export type KilnEventName = (typeof KilnEventName)[keyof typeof KilnEventName];
