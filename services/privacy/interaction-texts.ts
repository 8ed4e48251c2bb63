import type { TextAt } from './redact';

/**
 * The texts of a logged interaction the detector must see, and the way back: message contents
 * (plain or as text parts), tool-call and legacy function-call arguments, legacy completion
 * prompts and texts, refusals. Ids, roles, model names and numbers are not free text.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageTexts(message: unknown, prefix: string, out: TextAt[]): void {
  if (!isRecord(message)) return;
  const content = message['content'];
  if (typeof content === 'string') out.push({ path: `${prefix}.content`, text: content });
  else if (Array.isArray(content)) {
    content.forEach((part: unknown, j) => {
      if (isRecord(part) && typeof part['text'] === 'string') out.push({ path: `${prefix}.content.${j}.text`, text: part['text'] });
    });
  }
  if (typeof message['refusal'] === 'string') out.push({ path: `${prefix}.refusal`, text: message['refusal'] });
  const calls = message['tool_calls'];
  if (Array.isArray(calls)) {
    calls.forEach((call: unknown, j) => {
      const fn = isRecord(call) ? call['function'] : null;
      if (isRecord(fn) && typeof fn['arguments'] === 'string') out.push({ path: `${prefix}.tool_calls.${j}.function.arguments`, text: fn['arguments'] });
    });
  }
  const legacy = message['function_call'];
  if (isRecord(legacy) && typeof legacy['arguments'] === 'string') out.push({ path: `${prefix}.function_call.arguments`, text: legacy['arguments'] });
}

/** Texts of the request and response bodies, paths rooted at `request` and `response`. */
export function interactionTexts(request: Record<string, unknown>, response: Record<string, unknown> | null): TextAt[] {
  const out: TextAt[] = [];
  const messages = request['messages'];
  if (Array.isArray(messages)) messages.forEach((m: unknown, i) => messageTexts(m, `request.messages.${i}`, out));
  if (typeof request['prompt'] === 'string') out.push({ path: 'request.prompt', text: request['prompt'] });
  const choices = response?.['choices'];
  if (Array.isArray(choices)) {
    choices.forEach((choice: unknown, k) => {
      if (!isRecord(choice)) return;
      messageTexts(choice['message'], `response.choices.${k}.message`, out);
      if (typeof choice['text'] === 'string') out.push({ path: `response.choices.${k}.text`, text: choice['text'] });
    });
  }
  return out;
}

/**
 * A copy of `root` with the string at each path replaced. Only the containers on a changed
 * path are copied; everything else is shared with the input (the caller owns neither).
 */
export function replaceTexts<T extends Record<string, unknown>>(root: T, rootName: string, replacements: ReadonlyMap<string, string>): T {
  let result: T = root;
  for (const [path, text] of replacements) {
    const parts = path.split('.');
    if (parts[0] !== rootName) continue;
    result = { ...result, ...setIn(result, parts.slice(1), text) };
  }
  return result;
}

function setIn(node: Record<string, unknown>, path: readonly string[], value: string): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return node;
  const copy: Record<string, unknown> = { ...node };
  copy[key] = rest.length === 0 ? value : setChild(node[key], rest, value);
  return copy;
}

function setChild(child: unknown, path: readonly string[], value: string): unknown {
  if (Array.isArray(child)) {
    const index = Number(path[0]);
    const copy: unknown[] = [...child];
    copy[index] = path.length === 1 ? value : setChild(child[index], path.slice(1), value);
    return copy;
  }
  if (isRecord(child)) return setIn(child, path, value);
  // The path came from interactionTexts over this very value; anything else is left alone.
  return child;
}
