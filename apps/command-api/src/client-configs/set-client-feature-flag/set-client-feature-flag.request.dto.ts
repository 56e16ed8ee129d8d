import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class SetClientFeatureFlagRequest {
  @ApiProperty({ example: true })
  @IsBoolean()
  enabled!: boolean;
}
