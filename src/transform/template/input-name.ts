/** The rule for the names of a template's inputs. */

/** An input name: a Liquid variable name without dashes, so `{{ name.key }}` always parses. */
export const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
