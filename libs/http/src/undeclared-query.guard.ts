import { CanActivate, ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { RequestValidationException } from './validation';

/**
 * Unknown input is refused, never ignored: a route whose handler declares no `@Query()` takes no
 * query parameters, and a request that sends some gets the same 400 validation problem as an
 * unknown body field (routes with a query DTO are checked by the validation pipe instead).
 */
export class UndeclaredQueryGuard implements CanActivate {
  private readonly takesQuery = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http' || this.handlerTakesQuery(context)) return true;
    const query = context.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query ?? {};
    const names = Object.keys(query);
    if (names.length === 0) return true;
    throw new RequestValidationException(
      names.map((field) => ({ field, message: `query parameter ${field} is not accepted by this operation` })),
    );
  }

  private handlerTakesQuery(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let takes = this.takesQuery.get(handler);
    if (takes === undefined) {
      // Nest records each parameter decorator as `<param type>:<index>` on the handler.
      const parameters: Record<string, unknown> =
        Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {};
      takes = Object.keys(parameters).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
      this.takesQuery.set(handler, takes);
    }
    return takes;
  }
}
