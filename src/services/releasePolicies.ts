/**
 * Policies the operator offers in the researcher console beside the presets: each file
 * `<name>.yaml`, `<name>.yml` or `<name>.json` of the policies folder (LENSLAB_POLICIES_DIR,
 * default data/policies) is one, named by its file and validated when the server starts (a bad
 * file stops it, naming the file and the key). Researchers pick among their names; nothing they send becomes a path or
 * a policy. The gate still judges every release.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { isPresetName, parsePolicy, PolicyError, type Policy } from '../privacy/index.ts';

const DEFAULT_POLICIES_DIR = './data/policies';

/** The policies folder: the caller's, else LENSLAB_POLICIES_DIR, else data/policies. */
export function operatorPoliciesDir(dir?: string): string {
  return dir ?? process.env.LENSLAB_POLICIES_DIR ?? DEFAULT_POLICIES_DIR;
}

/** A policy's name: lower-case words joined by hyphens, as release folders carry it. */
export const POLICY_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_NAME = 40;
const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The operator's policies by name (none when the folder does not exist). */
export function loadOperatorPolicies(dir: string): Map<string, Policy> {
  const folder = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(folder).sort();
  } catch {
    return new Map();
  }
  const policies = new Map<string, Policy>();
  for (const file of files) {
    const extension = extname(file);
    if (!EXTENSIONS.has(extension)) continue;
    const path = join(folder, file);
    const name = file.slice(0, -extension.length);
    if (!POLICY_NAME.test(name) || name.length > MAX_NAME)
      throw new PolicyError(
        path,
        '',
        `a policy's file name must be lower-case words joined by hyphens (at most ${MAX_NAME} characters)`,
      );
    if (isPresetName(name))
      throw new PolicyError(path, '', `"${name}" is a preset's name; rename the file`);
    if (policies.has(name)) throw new PolicyError(path, '', `a second policy named "${name}"`);
    // Reports and the console name it by its file, whatever its document says.
    policies.set(name, { ...parsePolicy(readFileSync(path, 'utf8'), path), name });
  }
  return policies;
}
