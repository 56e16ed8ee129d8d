import { ApiProperty } from '@nestjs/swagger';
import { IsJsonObject } from '../../shared/json-object.validator';

export class ChangeClientConfigSettingsRequest {
  @ApiProperty({
    description: 'JSON Merge Patch (RFC 7396) applied to the settings: null removes a member',
    example: { theme: 'dark', legacy: null },
  })
  @IsJsonObject()
  settings!: Record<string, unknown>;
}
