import { render } from "preact";
import { startLive } from "./actions/live";
import { boot } from "./actions/session";
import { App } from "./components/App";
import { getLang, setLang } from "./i18n";
import { startGovernance } from "./live-gov";
import { startRouter } from "./nav";
import "./styles.css";

setLang(getLang());
startRouter();
startGovernance();
startLive();
render(<App />, document.getElementById("app")!);
void boot();
