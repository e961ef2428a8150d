import { useState } from "preact/hooks";
import { createChannel } from "../../actions/guilds";
import { t } from "../../i18n";
import { useStore } from "../../store";
import { errorsFrom } from "../Auth";
import { Field } from "../Field";
import { Actions, close, Modal } from "./Modal";

export default function CreateChannel({ guildId, type: initialType, categoryId }: { guildId: number; type: string; categoryId?: number }) {
  const cats = useStore((s) => s.channels[guildId] ?? []).filter((c) => c.type === "category");
  const [name, setName] = useState("");
  const [type, setType] = useState(initialType);
  const [cat, setCat] = useState(categoryId ? String(categoryId) : "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  return (
    <Modal title={type === "category" ? t("createCategory") : t("createChannel")} onSubmit={async () => {
      try {
        await createChannel(guildId, name.trim(), type, type !== "category" && cat ? Number(cat) : undefined);
        close();
      } catch (e) { setErrors(errorsFrom(e, ["name", "type", "category_id"])); }
    }}>
      <div class="field">
        <label for="ch-type">{t("channelType")}</label>
        <select id="ch-type" value={type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}>
          <option value="text">{t("typeText")}</option>
          <option value="category">{t("typeCategory")}</option>
          <option value="voice">{t("typeVoice")}</option>
        </select>
      </div>
      <Field id="name" label={type === "category" ? t("categoryName") : t("channelName")} value={name}
        onInput={setName} error={errors.name} maxLength={100} required />
      {type !== "category" && (
        <div class="field">
          <label for="ch-cat">{t("category")}</label>
          <select id="ch-cat" value={cat} onChange={(e) => setCat((e.currentTarget as HTMLSelectElement).value)}
            aria-describedby={errors.category_id ? "cat-err" : undefined}>
            <option value="">{t("noCategory")}</option>
            {cats.map((c) => <option key={c.id} value={String(c.id)}>{c.name}</option>)}
          </select>
          {errors.category_id && <p class="field-error" id="cat-err" role="alert">{errors.category_id}</p>}
        </div>
      )}
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      <Actions submit={t("create")} />
    </Modal>
  );
}
