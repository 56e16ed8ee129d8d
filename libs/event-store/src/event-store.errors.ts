/** Another writer appended to the stream since the caller read it (optimistic concurrency). */
export class StreamVersionConflictError extends Error {
  override name = 'StreamVersionConflictError';

  constructor(
    readonly streamType: string,
    readonly streamId: string,
    readonly expectedVersion: number,
    /** The version found when the conflict was detected; undefined when a racing commit was seen. */
    readonly actualVersion?: number,
  ) {
    super(
      `${streamType}/${streamId}: expected version ${expectedVersion}` +
        (actualVersion === undefined ? ', but another writer committed first' : `, found ${actualVersion}`),
    );
  }
}

/** The feed was asked to resume after a position that no event has. */
export class UnknownPositionError extends Error {
  override name = 'UnknownPositionError';

  constructor(readonly position: string) {
    super(`No event has position ${position}`);
  }
}
