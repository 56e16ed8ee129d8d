import { eventTopicOf } from '@analytics/contracts';

/** Topic names as this deployment spells them: the contract name behind an optional prefix. */
export class TopicNames {
  constructor(private readonly prefix: string) {}

  /** `analytics.<stream-type>.events`, prefixed. */
  eventsOf(streamType: string): string {
    return `${this.prefix}${eventTopicOf(streamType)}`;
  }
}
