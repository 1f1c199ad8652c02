// Step 4: the chosen model over the video on the left; its smoothed segments go on the
// timeline's second track, and the spans where it was least sure or flickered are listed,
// least sure first. Clicking one seeks the video there, so the user can relabel it at once.
import { request } from "./api.js";
import { $, formatSeconds, h } from "./dom.js";
import { remember } from "./steps.js";

const REASONS = { low_confidence: "low confidence", flicker: "flicker" };

export function createPredict({ state, steps, timeline, seek, fail, clearError }) {
  function renderUncertain(uncertain) {
    const items = uncertain.map((span, index) => h("li", {},
      h("button", {
        type: "button", class: "doubt-item", "data-index": index, "data-start": span.start,
        "aria-label": `${REASONS[span.reason] || span.reason} from ${formatSeconds(span.start)} to ${formatSeconds(span.end)}: seek there`,
      },
      h("span", { class: "when" }, `${formatSeconds(span.start, 1)}–${formatSeconds(span.end, 1)}`),
      h("span", { class: "why" }, REASONS[span.reason] || span.reason),
      h("span", { class: "muted" }, `score ${Number(span.score).toFixed(2)}`))));
    $("uncertain").replaceChildren(...items);
    if (!items.length) $("uncertain").append(h("li", { class: "hint" }, "none: the model was sure everywhere"));
  }

  $("uncertain").addEventListener("click", (event) => {
    const button = event.target.closest("button.doubt-item");
    if (!button) return;
    for (const other of $("uncertain").querySelectorAll("button.current")) other.classList.remove("current");
    button.classList.add("current");
    seek(Number(button.dataset.start));
    // Keys act on the label track from here: the next number key relabels at this spot.
    $("label-track").focus();
  });

  // Predictions of `modelId` on the current video; 404 (none made yet) just leaves the track empty.
  async function show(modelId, { quiet = false } = {}) {
    if (!state.video) return;
    const url = `/backend/predictions/${encodeURIComponent(state.video.id)}?model=${encodeURIComponent(modelId)}`;
    try {
      const answer = await request("GET", url);
      timeline.setPredictions(answer.segments, answer.uncertain);
      renderUncertain(answer.uncertain);
      $("predict-state").textContent =
        `${answer.segments.length} segments · ${answer.uncertain.length} spans to check`;
      remember({ model: modelId });
    } catch (error) {
      if (!(quiet && error.status === 404)) fail(`predictions: ${error.message}`);
    }
  }

  async function predict(event) {
    event.preventDefault();
    clearError();
    const modelId = $("model-select").value;
    if (!state.video) { fail("upload a video first (step 1)"); return; }
    if (!modelId) { fail("train a model first (step 3)"); return; }
    $("predict").disabled = true;
    try {
      const answer = await request("POST", `/backend/models/${encodeURIComponent(modelId)}/predict`,
        { json: { video_id: state.video.id } });
      await steps.track("predict", answer.job_id, (job) => show(job.result?.model_id || modelId));
    } catch (error) {
      fail(`prediction refused: ${error.message}`);
    } finally {
      $("predict").disabled = false;
    }
  }

  $("predict-form").addEventListener("submit", predict);
  return { show, done: (job) => show(job.result?.model_id) };
}
