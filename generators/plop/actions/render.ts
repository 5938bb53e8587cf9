import type { CustomActionConfig } from 'node-plop';
import { renderTemplate } from '../templates.js';
import { planGenerated, type ActionData } from './context.js';

/** Renders a template (the README) and reconciles it with what the app has. */
export async function renderAction(data: ActionData, config: CustomActionConfig<string>): Promise<string> {
  const target = String(config['target']);
  const text = await renderTemplate(data, data.target, data.render, String(config['templateName']), target);
  const planned = await planGenerated(data, target, text);
  return `${planned.change} ${target}`;
}
