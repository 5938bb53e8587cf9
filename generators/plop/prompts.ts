import type { PromptQuestion } from 'node-plop';
import { findStore, frameworks, stores } from '../../runtime/manifest.js';
import type { TargetApp } from '../app/detect.js';
import { normalizeRelative } from '../app/inside-app.js';

/** What a person may be asked: the answers, plus which chosen store is the default and whether to write the example. */
export interface PromptAnswers {
  framework: string;
  stores: string[];
  defaultStore: string;
  dir: string;
  example: boolean;
}

export type Question = 'framework' | 'stores' | 'dir' | 'example';

/**
 * Questions for the answers the flags did not give. Every answer is checked where it is typed, so
 * a bad one is asked again rather than ending the run.
 */
export function promptsFor(
  missing: readonly Question[],
  target: TargetApp,
  defaults: { dir: string; example: string },
): PromptQuestion[] {
  const questions: PromptQuestion[] = [];
  if (missing.includes('framework')) {
    // The frameworks package.json lists come first; the cursor starts on one only when it is the only one.
    const installed = frameworks.filter((f) => target.installedFrameworks.includes(f.name));
    const others = frameworks.filter((f) => !target.installedFrameworks.includes(f.name));
    questions.push({
      type: 'list',
      name: 'framework',
      message:
        installed.length > 1
          ? `Web framework (package.json lists ${installed.map((f) => f.title).join(' and ')})`
          : 'Web framework',
      choices: [
        ...installed.map((f) => ({ name: `${f.title} (in package.json)`, value: f.name })),
        ...others.map((f) => ({ name: f.title, value: f.name })),
      ],
      default: target.detectedFramework,
    });
  }
  if (missing.includes('stores')) {
    questions.push(
      {
        type: 'checkbox',
        name: 'stores',
        message: 'Session stores (space picks, enter confirms)',
        choices: stores.map((s) => ({ name: s.title, value: s.name, checked: s.name === 'dir' })),
        validate: (chosen: readonly string[]) => chosen.length > 0 || 'Pick at least one store',
      },
      {
        type: 'list',
        name: 'defaultStore',
        message: 'Default store (used when SESSION_STORE is not set)',
        when: (answers) => picked(answers).length > 1,
        choices: (answers) => picked(answers).map((name) => ({ name: findStore(name)?.title ?? name, value: name })),
        // Memory keeps nothing across restarts: never the suggestion when another store was picked.
        default: (answers: Record<string, unknown>) => picked(answers).find((name) => name !== 'memory'),
      },
    );
  }
  if (missing.includes('dir')) {
    questions.push({
      type: 'input',
      name: 'dir',
      message: 'Folder for the session module',
      default: defaults.dir,
      validate: (dir: string) => {
        try {
          normalizeRelative(dir, 'the folder');
          return true;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
  }
  if (missing.includes('example')) {
    questions.push({
      type: 'confirm',
      name: 'example',
      message: `Also write an example server (${defaults.example})?`,
      default: false,
    });
  }
  return questions;
}

/** The stores checked so far, from inquirer's answers object. */
function picked(answers: Record<string, unknown>): string[] {
  return Array.isArray(answers['stores']) ? answers['stores'].filter((name) => typeof name === 'string') : [];
}
