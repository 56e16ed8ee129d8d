import { Global, Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { CommandExecutor } from './command-executor';

/** The one CommandExecutor every feature's handlers run their commands through. */
@Global()
@Module({ imports: [OutboxModule], providers: [CommandExecutor], exports: [CommandExecutor] })
export class CommandExecutorModule {}
