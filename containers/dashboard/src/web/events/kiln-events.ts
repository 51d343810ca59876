/** The user signed in: the app reloads what it shows. */
export class SignedInEvent extends Event {
  static readonly eventName = 'kiln-signed-in' as const;

  constructor() {
    super(SignedInEvent.eventName, { bubbles: true, composed: true });
  }
}

/** What the schema form submits. */
export interface FormSubmission {
  name: string | undefined;
  parameters: Record<string, unknown>;
  files: Record<string, File>;
  cache: boolean;
}

/** The create form was submitted with values that could be sent. */
export class FormSubmitEvent extends Event {
  static readonly eventName = 'kiln-form-submit' as const;
  readonly submission: FormSubmission;

  constructor(submission: FormSubmission) {
    super(FormSubmitEvent.eventName, { bubbles: true, composed: true });
    this.submission = submission;
  }
}

/** An artifact was cancelled or deleted from its page. */
export class ArtifactChangedEvent extends Event {
  static readonly eventName = 'kiln-artifact-changed' as const;
  readonly action: 'cancelled' | 'deleted';
  readonly container: string;
  readonly artifact: string;

  constructor(action: 'cancelled' | 'deleted', container: string, artifact: string) {
    super(ArtifactChangedEvent.eventName, { bubbles: true, composed: true });
    this.action = action;
    this.container = container;
    this.artifact = artifact;
  }
}

declare global {
  interface HTMLElementEventMap {
    [SignedInEvent.eventName]: SignedInEvent;
    [FormSubmitEvent.eventName]: FormSubmitEvent;
    [ArtifactChangedEvent.eventName]: ArtifactChangedEvent;
  }
}

/** New log text arrived: the artifact is doing something, so its metrics may have grown too. */
export class LogAppendedEvent extends Event {
  static readonly eventName = 'kiln-log-appended' as const;

  constructor() {
    super(LogAppendedEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    [LogAppendedEvent.eventName]: LogAppendedEvent;
  }
}

/** The user asked to point an alias at a version (promote, roll back), before confirming. */
export class AliasRequestEvent extends Event {
  static readonly eventName = 'kiln-alias-request' as const;
  readonly alias: 'champion' | 'challenger';
  readonly version: number;
  /** `roll back` when the version is older than the champion, else `promote`. */
  readonly action: 'promote' | 'roll back';

  constructor(alias: 'champion' | 'challenger', version: number, action: 'promote' | 'roll back') {
    super(AliasRequestEvent.eventName, { bubbles: true, composed: true });
    this.alias = alias;
    this.version = version;
    this.action = action;
  }
}

declare global {
  interface HTMLElementEventMap {
    [AliasRequestEvent.eventName]: AliasRequestEvent;
  }
}
