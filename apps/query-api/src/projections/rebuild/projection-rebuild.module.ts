import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { projectionsConfig } from '../projections.config';
import { ProjectionRebuildController } from './projection-rebuild.http.controller';
import { rebuildConfig } from './rebuild.config';

/** `POST /v1/admin/projections/:name/rebuild` and its status. */
@Module({
  imports: [ConfigModule.forFeature(rebuildConfig), ConfigModule.forFeature(projectionsConfig)],
  controllers: [ProjectionRebuildController],
})
export class ProjectionRebuildModule {}
