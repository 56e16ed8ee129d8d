import { Global, Module } from '@nestjs/common';
import { CommandExecutor } from './command-executor';

/** The one CommandExecutor every feature's handlers run their commands through. */
@Global()
@Module({ providers: [CommandExecutor], exports: [CommandExecutor] })
export class CommandExecutorModule {}
