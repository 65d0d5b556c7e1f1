/**
 * Whether a model's chat template (tokenizer_config.json `chat_template`) ends the generation
 * prompt inside an open `<think>` block, as the DeepSeek R1 templates do
 * (`{% if add_generation_prompt %}{{'<｜Assistant｜><think>\n'}}{% endif %}`). Such a model never
 * writes the opening tag itself, so a client reading `<think>` from content must start in
 * reasoning ({@link ThinkTagSplitterOptions.startInReasoning}).
 */
export function chatTemplateOpensThinkBlock(chatTemplate: string | undefined): boolean {
  if (!chatTemplate) return false;
  const generationPrompt = /add_generation_prompt\s*%\}([\s\S]*?)\{%-?\s*endif/g;
  for (const match of chatTemplate.matchAll(generationPrompt)) {
    const body = match[1] ?? '';
    if (body.includes('<think>') && !body.includes('</think>')) return true;
  }
  return false;
}
