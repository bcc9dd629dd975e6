import type { FunctionDef } from './function-def.js';
export const JSON_FUNCTIONS: readonly FunctionDef[] = [];
