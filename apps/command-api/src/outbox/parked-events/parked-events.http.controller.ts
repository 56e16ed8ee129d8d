import { ParkedEvent } from '@analytics/event-store';
import { Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@analytics/http';
import { NotFoundError } from '../../shared/domain-errors';
import { OutboxRelayService } from '../outbox-relay.service';

class ParkedEventDocument {
  @ApiProperty({ pattern: '^[0-9]+$' })
  outboxId!: string;

  @ApiProperty({ pattern: '^[0-9]+$' })
  position!: string;

  @ApiProperty()
  topic!: string;

  @ApiProperty({ format: 'uuid' })
  streamId!: string;

  @ApiProperty()
  type!: string;

  @ApiProperty({ format: 'date-time' })
  parkedAt!: string;

  @ApiProperty({ description: 'Why Kafka refused it' })
  reason!: string;
}

class ParkedEventsDocument {
  @ApiProperty({ type: [ParkedEventDocument] })
  parked!: ParkedEventDocument[];
}

class RetryingParkedEventDocument {
  @ApiProperty({ pattern: '^[0-9]+$' })
  outboxId!: string;

  @ApiProperty({ enum: [true] })
  retrying!: true;
}

/** For operators: events the relay parked (Kafka refused them for good) and putting them back in line. */
@ApiTags('operations')
@Controller('admin/outbox/parked')
export class ParkedEventsController {
  constructor(private readonly relay: OutboxRelayService) {}

  @Get()
  @ApiOperation({ summary: 'Parked events, oldest first, with the reason; their streams wait behind them' })
  @ApiOkResponse({ type: ParkedEventsDocument })
  async list(): Promise<{ parked: ParkedEvent[] }> {
    return { parked: await this.relay.parkedEvents() };
  }

  @Post(':outboxId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Put a parked event back in line (e.g. after raising the topic limit)' })
  @ApiResponse({ status: 202, description: 'Back in line', type: RetryingParkedEventDocument })
  @ApiProblemResponses({ 400: 'outboxId is not an integer', 404: 'No parked event has this outbox id' })
  async retry(@Param('outboxId', ParseIntPipe) outboxId: number): Promise<{ outboxId: string; retrying: true }> {
    if (!(await this.relay.retryParked(String(outboxId)))) {
      throw new NotFoundError(`outbox row ${outboxId} is not parked`);
    }
    return { outboxId: String(outboxId), retrying: true };
  }
}
