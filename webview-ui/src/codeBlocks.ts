// Adds Copy / Insert at Cursor / New File buttons above each rendered code block. The buttons carry no
// listeners of their own: the transcript handles their clicks in one delegated listener.

export type CodeAction = 'copy' | 'insert' | 'newFile';

const BUTTONS: readonly [CodeAction, string][] = [
  ['copy', 'Copy'],
  ['insert', 'Insert at Cursor'],
  ['newFile', 'New File'],
];

export function decorateCodeBlocks(container: HTMLElement): void {
  for (const pre of container.querySelectorAll('pre')) {
    const code = pre.querySelector('code');
    if (!code) continue;
    const language = languageOf(code);
    const bar = document.createElement('div');
    bar.className = 'code-bar';
    const label = document.createElement('span');
    label.className = 'code-language';
    label.textContent = language || 'text';
    bar.append(label);
    for (const [action, title] of BUTTONS) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'code-action';
      button.dataset.codeAction = action;
      button.textContent = title;
      bar.append(button);
    }
    const block = document.createElement('div');
    block.className = 'code-block';
    pre.replaceWith(block);
    block.append(bar, pre);
  }
}

/** The fence language from the `language-xxx` class the renderer set. */
export function languageOf(code: Element): string {
  for (const cls of code.classList) if (cls.startsWith('language-')) return cls.slice('language-'.length);
  return '';
}

/** The code and language of the block a button belongs to. */
export function codeOfButton(button: Element): { code: string; language: string } | undefined {
  const code = button.closest('.code-block')?.querySelector('pre > code');
  if (!code) return undefined;
  return { code: code.textContent ?? '', language: languageOf(code) };
}
