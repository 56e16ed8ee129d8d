import { ParkedEvent } from '@analytics/event-store';
import { Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../../shared/domain-errors';
import { OutboxRelayService } from '../outbox-relay.service';

/** For operators: events the relay parked (Kafka refused them for good) and putting them back in line. */
@ApiTags('operations')
@Controller('admin/outbox/parked')
export class ParkedEventsController {
  constructor(private readonly relay: OutboxRelayService) {}

  @Get()
  @ApiOperation({ summary: 'Parked events, oldest first, with the reason; their streams wait behind them' })
  async list(): Promise<{ parked: ParkedEvent[] }> {
    return { parked: await this.relay.parkedEvents() };
  }

  @Post(':outboxId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Put a parked event back in line (e.g. after raising the topic limit)' })
  async retry(@Param('outboxId', ParseIntPipe) outboxId: number): Promise<{ outboxId: string; retrying: true }> {
    if (!(await this.relay.retryParked(String(outboxId)))) {
      throw new NotFoundError(`outbox row ${outboxId} is not parked`);
    }
    return { outboxId: String(outboxId), retrying: true };
  }
}
