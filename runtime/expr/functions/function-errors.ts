/** Small constructors for the errors built-in functions raise, with PostgreSQL's messages. */
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';

/**
 * 2201G invalid_argument_for_width_bucket_function: missing from runtime/sql/sqlstate.ts.
 * TODO(value model): add `InvalidArgumentForWidthBucketFunction: '2201G'` there and use it here.
 */
export const INVALID_ARGUMENT_FOR_WIDTH_BUCKET = '2201G' as string as SqlState;

export const outOfRange = (message: string) => new SqlError(SqlState.NumericValueOutOfRange, message);
export const int2OutOfRange = () => outOfRange('smallint out of range');
export const int4OutOfRange = () => outOfRange('integer out of range');
export const int8OutOfRange = () => outOfRange('bigint out of range');
export const floatOverflow = () => outOfRange('value out of range: overflow');
export const floatUnderflow = () => outOfRange('value out of range: underflow');
export const inputOutOfRange = () => outOfRange('input is out of range');
export const divisionByZero = () => new SqlError(SqlState.DivisionByZero, 'division by zero');
export const invalidParameter = (message: string, hint?: string) =>
  new SqlError(SqlState.InvalidParameterValue, message, { hint });
export const programLimit = (message: string) => new SqlError(SqlState.ProgramLimitExceeded, message);
export const logOfZero = () => new SqlError(SqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of zero');
export const logOfNegative = () =>
  new SqlError(SqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of a negative number');
export const powerError = (message: string) => new SqlError(SqlState.InvalidArgumentForPowerFunction, message);
export const widthBucketError = (message: string) => new SqlError(INVALID_ARGUMENT_FOR_WIDTH_BUCKET, message);
