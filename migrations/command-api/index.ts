import { CreateSystemCore1795646312556 } from './1795646312556-create-system-core';
import { EventsCommitOrder1795712400000 } from './1795712400000-events-commit-order';
import { OutboxParking1795716000000 } from './1795716000000-outbox-parking';
import { StreamVersionCheck1795740000000 } from './1795740000000-stream-version-check';
import { OutboxPublishedAt1795800000000 } from './1795800000000-outbox-published-at';

/** In order. Listed explicitly (not globbed) so the bundled app can run them too. */
export const COMMAND_API_MIGRATIONS = [
  CreateSystemCore1795646312556,
  EventsCommitOrder1795712400000,
  OutboxParking1795716000000,
  StreamVersionCheck1795740000000,
  OutboxPublishedAt1795800000000,
];
