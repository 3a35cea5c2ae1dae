import { readFile } from 'node:fs/promises';
import type { Blueprint } from '../../engine/blueprint/index.js';

/** Reads and validates a blueprint file (.json, .yaml or .csv), naming the file in every failure. */
export async function readBlueprintFile(file: string): Promise<Blueprint> {
  const { formatFromPath, importBlueprint } = await import('../../engine/blueprint/index.js');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read blueprint ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    return importBlueprint(text, formatFromPath(file));
  } catch (error) {
    throw new Error(`blueprint ${file}: ${(error as Error).message}`);
  }
}
