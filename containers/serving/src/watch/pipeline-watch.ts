/** A model served from a pipeline's runs. */
export interface PipelineWatch {
  /** The model the runs' models become versions of. */
  model: string;
  /**
   * The pipeline container's URL: its compose URL (`http://fashion-mnist:8080`), reached through
   * the serving container's topology, or any URL it can open.
   */
  url: string;
  /** The step whose artifact is the model. @defaultValue 'train' */
  modelStep?: string;
  /**
   * The step whose `dataset` input is the evaluation set (the pipeline's benchmark).
   * @defaultValue 'benchmark'
   */
  evaluationStep?: string;
}
