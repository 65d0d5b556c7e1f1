import { type ModelManager } from '../../core/models/modelManager';
import { type ModelOption, type PanelState } from '../../shared/protocol';
import { type Settings } from '../config/settings';

/**
 * What the panel's pickers show: the backend and the local models (seed, cached and user-added; not
 * search results), with the selected one always present even if it is not in the list.
 */
export function panelState(settings: Settings, manager: ModelManager | undefined): PanelState {
  const selectedModel = settings.selectedModel;
  const models: ModelOption[] = (manager?.list() ?? [])
    .filter((e) => e.section !== 'search' || e.selected)
    .map((e) => ({ repoId: e.repoId, label: e.displayName, downloaded: e.status.kind === 'downloaded' }));
  if (!models.some((m) => m.repoId.toLowerCase() === selectedModel.toLowerCase())) {
    models.unshift({ repoId: selectedModel, label: selectedModel.split('/').pop() ?? selectedModel, downloaded: false });
  }
  return { backend: settings.backend, models, selectedModel };
}
