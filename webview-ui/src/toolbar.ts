// The pickers above the chat: backend (MLX / Gemini) and local model, in sync with the status bar
// through the host's settings, plus New Chat.
import { type PanelState, type WebviewToHost } from '../../src/shared/protocol';
import { h } from './dom';

type Select = HTMLElement & { value: string; disabled: boolean };

export class Toolbar {
  readonly el: HTMLElement;
  private readonly backend: Select;
  private readonly model: Select;
  private lastModels = '';
  /** Set while the host's state is applied, so the change events it causes are not sent back. */
  private applying = false;

  constructor(private readonly post: (message: WebviewToHost) => void) {
    this.backend = h(
      'vscode-single-select',
      { class: 'backend-picker', 'aria-label': 'Chat backend' },
      h('vscode-option', { value: 'mlx' }, 'MLX (local)'),
      h('vscode-option', { value: 'gemini' }, 'Gemini (cloud)'),
    ) as unknown as Select;
    this.model = h('vscode-single-select', { class: 'model-picker', 'aria-label': 'Local model' }) as unknown as Select;
    const newChat = h('vscode-button', { secondary: true, title: 'Start a new conversation' }, 'New Chat');
    this.el = h('header', { class: 'toolbar' }, this.backend, this.model, h('span', { class: 'spacer' }), newChat);

    this.backend.addEventListener('change', () => {
      if (!this.applying && (this.backend.value === 'mlx' || this.backend.value === 'gemini')) this.post({ type: 'pickBackend', backend: this.backend.value });
    });
    this.model.addEventListener('change', () => {
      if (!this.applying && this.model.value) this.post({ type: 'pickModel', repoId: this.model.value });
    });
    newChat.addEventListener('click', () => this.post({ type: 'newChat' }));
  }

  apply(state: PanelState): void {
    this.applying = true;
    try {
      const models = JSON.stringify(state.models);
      if (models !== this.lastModels) {
        this.lastModels = models;
        this.model.replaceChildren(...state.models.map((m) => h('vscode-option', { value: m.repoId, description: m.downloaded ? undefined : 'not downloaded' }, m.downloaded ? m.label : `${m.label} (not downloaded)`)));
      }
      this.backend.value = state.backend;
      this.model.value = state.selectedModel;
      this.model.disabled = state.backend === 'gemini';
      this.el.dataset.backend = state.backend;
    } finally {
      this.applying = false;
    }
  }
}
