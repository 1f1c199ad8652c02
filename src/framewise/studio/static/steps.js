// The loop's steps on the right of the page: upload and extract, build a dataset, train, and
// predict. Each step queues a job through the API and follows it; the job ids are kept in
// localStorage, so a reloaded page picks up the jobs it was following.
import { follow, formOf, request, upload as send } from "./api.js";
import { $, formatNumber, h } from "./dom.js";

const STORE = "framewise.studio";

export function remembered() {
  try { return JSON.parse(window.localStorage.getItem(STORE) || "{}"); } catch { return {}; }
}

export function remember(changes) {
  window.localStorage.setItem(STORE, JSON.stringify({ ...remembered(), ...changes }));
}

function rememberJob(kind, id) {
  remember({ jobs: { ...(remembered().jobs || {}), [kind]: id } });
}

// One progress bar and status line per step, fed by the job's answers.
function tracker(bar, line) {
  return (job) => {
    $(bar).value = job.state === "done" ? 1 : Number(job.progress || 0);
    const parts = [job.state];
    if (job.state === "queued" && job.depends_on?.length) parts.push("waiting for the job before it");
    if (job.message) parts.push(job.message);
    if (job.error) parts.push(job.error);
    $(line).textContent = parts.join(" · ");
    // "done" is set by track() once the step has shown the job's result (lists, metrics).
    $(line).dataset.state = job.state === "done" ? "showing" : job.state;
  };
}

const LINES = { extract: "extract-state", dataset: "dataset-state", train: "train-state", predict: "predict-state" };

export function createSteps({ state, fail, clearError, setVideo, labelsSpans, unsaved }) {
  const trackers = {
    extract: tracker("extract-progress", LINES.extract),
    dataset: tracker("dataset-progress", LINES.dataset),
    train: tracker("train-progress", LINES.train),
    predict: tracker("predict-progress", LINES.predict),
  };
  const running = new Map(); // kind → promise of the job followed now

  // Follow a job and run `done(job)` once it ends well; a failure is shown in the error line.
  // `resumed`: a job remembered from before a reload, forgotten quietly if the server lost it.
  function track(kind, jobId, done, { resumed = false } = {}) {
    rememberJob(kind, jobId);
    const promise = follow(`/backend/jobs/${encodeURIComponent(jobId)}`, trackers[kind])
      .then(async (job) => {
        await done(job);
        $(LINES[kind]).dataset.state = "done";
      })
      .catch((error) => {
        // Said once: a failed or lost job is forgotten, so the next reload does not repeat it.
        rememberJob(kind, null);
        if (!(resumed && error.status === 404)) fail(`${kind} job ${jobId}: ${error.message}`);
      });
    running.set(kind, promise);
    return promise;
  }

  // ---- lists ---------------------------------------------------------------------------------
  // `checked`: files to tick besides those ticked now; `only`: tick exactly these.
  async function refreshFeatures(checked = [], only = null) {
    const { features } = await request("GET", "/backend/features");
    const ticked = [...document.querySelectorAll("#feature-files input:checked")].map((i) => i.value);
    const keep = new Set(only || [...checked, ...ticked]);
    const rows = features.map((f) => h("label", {},
      h("input", { type: "checkbox", value: f.filename, "data-video": f.video_id, checked: keep.has(f.filename) }),
      `${f.filename} · ${f.frames} frames · ${f.labelled} labelled`));
    $("feature-files").replaceChildren(h("legend", {}, "Feature files"), ...rows);
    if (!rows.length) $("feature-files").append(h("p", { class: "hint" }, "none yet: upload a video"));
  }

  async function refreshDatasets(select) {
    const { datasets } = await request("GET", "/backend/datasets");
    $("dataset-select").replaceChildren(...datasets.map((d) => h("option", {
      value: d.dataset_dir, selected: d.dataset_dir === select,
    }, `${d.dataset_dir} · ${d.classes.join(", ")}`)));
  }

  async function refreshModels(select) {
    const { models } = await request("GET", "/backend/models");
    $("model-select").replaceChildren(...models.map((m) => h("option", {
      value: m.model_id, selected: m.model_id === select,
    }, `${m.name} · test acc ${formatNumber(m.test?.accuracy, 2)}`)));
  }

  // ---- 1. upload ---------------------------------------------------------------------------
  function samplingFields() {
    const rate = $("sample-rate").value.trim();
    const fps = $("sample-fps").value.trim();
    return { detector_type: $("detector-type").value, sample_rate: rate || null, sample_fps: rate ? null : fps || null };
  }

  async function extracted(job) {
    await refreshFeatures([job.result?.filename].filter(Boolean));
    const with_ = job.result ? ` · ${job.result.frames} frames, ${job.result.with_person} with a person` : "";
    $("extract-state").textContent = `done${with_}`;
  }

  async function upload(event) {
    event.preventDefault();
    clearError();
    const video = $("video-file").files[0];
    if (!video) { fail("choose a video file first"); return; }
    if (unsaved() && !window.confirm("The labels on the timeline are not saved. Upload anyway and drop them?")) return;
    const fields = { video, labels_csv: $("labels-file").files[0] || null, ...samplingFields() };
    $("upload").disabled = true;
    try {
      const answer = await send("/backend/upload_and_extract_features", formOf(fields), (fraction) => {
        $("extract-progress").value = fraction;
        $("extract-state").textContent = `uploading ${Math.round(100 * fraction)}%`;
      });
      // The job is remembered before anything else, so a reload from here on follows it.
      const following = track("extract", answer.job_id, extracted);
      await setVideo(answer.video);
      if (answer.duplicate) $("extract-state").textContent = "this video was uploaded before (same bytes)";
      await following;
    } catch (error) {
      fail(`upload refused: ${error.message}`);
    } finally {
      $("upload").disabled = false;
    }
  }

  // ---- 2. dataset ------------------------------------------------------------------------------
  // The labels drawn here live in the video's label file; the feature table must be made again
  // with them. The API answers at once with the existing table when nothing changed.
  async function reextract() {
    const body = samplingFields();
    const answer = await request("POST", `/backend/videos/${encodeURIComponent(state.video.id)}/extract`, { json: body });
    track("extract", answer.job_id, extracted);
    return answer.feature_name;
  }

  async function build(event) {
    event.preventDefault();
    clearError();
    $("build").disabled = true;
    try {
      const chosen = [...document.querySelectorAll("#feature-files input:checked")];
      let files = chosen.map((input) => input.value);
      if (state.video && labelsSpans().length) {
        const fresh = await reextract();
        const ofVideo = new Set(chosen.filter((i) => i.dataset.video === state.video.id).map((i) => i.value));
        files = [...files.filter((f) => !ofVideo.has(f)), fresh];
      }
      if (!files.length) { fail("choose a feature file, or label the video and save"); return; }
      const fields = {
        feature_files: files.join(","), window_sec: $("window-sec").value, step_sec: $("step-sec").value,
        balance_method: $("balance").value, group_sec: $("group-sec").value.trim() || null,
      };
      const answer = await request("POST", "/backend/build_task_dataset", { form: formOf(fields) });
      $("dataset-state").textContent = `queued ${answer.dataset_dir}`;
      await refreshFeatures([], files); // the list shows what the dataset is made of
      await track("dataset", answer.job_id, datasetDone);
    } catch (error) {
      fail(`dataset refused: ${error.message}`);
    } finally {
      $("build").disabled = false;
    }
  }

  async function datasetDone(job) {
    const { dataset_dir: dir, counts } = job.result || {};
    await refreshDatasets(dir);
    const sizes = counts ? Object.entries(counts).map(([split, c]) =>
      `${split} ${Object.values(c).reduce((a, b) => a + b, 0)}`).join(", ") : "";
    $("dataset-state").textContent = `done · ${dir}${sizes ? ` · windows: ${sizes}` : ""}`;
  }

  // ---- 3. train ----------------------------------------------------------------------------------
  async function train(event) {
    event.preventDefault();
    clearError();
    const type = $("model-type").value;
    const count = $("n-estimators").value;
    const fields = { dataset_dir: $("dataset-select").value, model_type: type, aggregation: "stats" };
    if (type === "lstm") fields.epochs = count; else fields.n_estimators = count;
    if (!fields.dataset_dir) { fail("build a dataset first (step 2)"); return; }
    $("train").disabled = true;
    try {
      const answer = await request("POST", "/backend/train_task_model", { form: formOf(fields) });
      $("train-state").textContent = `queued ${answer.name}`;
      await track("train", answer.job_id, trained);
    } catch (error) {
      fail(`training refused: ${error.message}`);
    } finally {
      $("train").disabled = false;
    }
  }

  async function trained(job) {
    const id = job.result?.model_id;
    await refreshModels(id);
    if (id) await showMetrics(id);
  }

  async function showMetrics(modelId) {
    const metrics = await request("GET", `/backend/models/${encodeURIComponent(modelId)}/metrics`);
    const rows = [];
    for (const split of ["val", "test"]) {
      const m = metrics[split];
      if (!m) continue;
      rows.push(h("dt", {}, `${split} accuracy`), h("dd", { "data-metric": `${split}.accuracy` }, formatNumber(m.accuracy)));
      rows.push(h("dt", {}, `${split} F1 macro`), h("dd", { "data-metric": `${split}.f1_macro` }, formatNumber(m.f1_macro)));
      rows.push(h("dt", {}, `${split} windows`), h("dd", {}, String(m.samples ?? "–")));
    }
    $("metrics").replaceChildren(...rows);
    drawConfusion(metrics.confusion);
  }

  function drawConfusion(confusion) {
    const table = $("confusion");
    table.hidden = !confusion;
    if (!confusion) return;
    const { labels, matrix, split } = confusion;
    const peak = Math.max(1, ...matrix.flat());
    table.querySelector("caption").textContent =
      `Confusion matrix, ${split} split (rows: true label, columns: predicted)`;
    table.querySelector("thead").replaceChildren(h("tr", {}, h("th", { scope: "col" }, "true \\ predicted"),
      ...labels.map((label) => h("th", { scope: "col" }, label))));
    table.querySelector("tbody").replaceChildren(...matrix.map((row, i) => h("tr", {},
      h("th", { scope: "row" }, labels[i]),
      ...row.map((count, j) => h("td", { class: i === j ? "diagonal" : "", style: `--a:${(0.6 * count) / peak}` }, String(count))))));
  }

  return {
    track, refreshFeatures, refreshDatasets, refreshModels, showMetrics,
    handlers: { extract: extracted, dataset: datasetDone, train: trained },
    bind() {
      $("upload-form").addEventListener("submit", upload);
      $("dataset-form").addEventListener("submit", build);
      $("train-form").addEventListener("submit", train);
    },
  };
}
