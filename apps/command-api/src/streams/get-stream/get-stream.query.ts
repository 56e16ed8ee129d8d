export class GetStream {
  constructor(
    readonly streamType: string,
    readonly streamId: string,
  ) {}
}
