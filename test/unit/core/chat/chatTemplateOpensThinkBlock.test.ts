import assert from 'node:assert/strict';
import { chatTemplateOpensThinkBlock } from '../../../../src/core/chat/chatTemplateOpensThinkBlock';

describe('chatTemplateOpensThinkBlock', () => {
  it('is true for the DeepSeek R1 template that ends the prompt with <think>', () => {
    const template = "{% for message in messages %}...{% endfor %}{% if add_generation_prompt %}{{'<｜Assistant｜><think>\\n'}}{% endif %}";
    assert.equal(chatTemplateOpensThinkBlock(template), true);
  });

  it('is false for templates whose generation prompt has no think tag, or a closed one', () => {
    assert.equal(chatTemplateOpensThinkBlock("{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"), false);
    assert.equal(chatTemplateOpensThinkBlock("{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n<think>\\n\\n</think>\\n\\n' }}{%- endif %}"), false);
    assert.equal(chatTemplateOpensThinkBlock(undefined), false);
    assert.equal(chatTemplateOpensThinkBlock('<think> mentioned elsewhere'), false);
  });
});
