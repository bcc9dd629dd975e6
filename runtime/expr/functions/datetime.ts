import type { FunctionDef } from './function-def.js';
export const DATETIME_FUNCTIONS: readonly FunctionDef[] = [];
