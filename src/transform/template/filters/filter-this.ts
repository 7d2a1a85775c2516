/** What LiquidJS binds `this` to in a filter; LiquidJS does not export the type. */
import type { Context } from 'liquidjs';

/** The part of a filter's `this` Courier's filters use: the render's Context, for its memory budget. */
export interface FilterThis {
  readonly context: Context;
}
