export class ReadEventFeed {
  constructor(
    readonly after: string,
    readonly limit: number,
  ) {}
}
