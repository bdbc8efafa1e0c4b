// 校验文件：请求 /verify/…（只读），把结果写进 #verify-result。放在静态文件中，因为 CSP 禁止内联脚本。
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("verify");
  var result = document.getElementById("verify-result");
  if (!button || !result) { return; }
  button.addEventListener("click", function () {
    button.disabled = true;
    result.className = "";
    result.textContent = "正在校验…";
    fetch(button.getAttribute("data-url"), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        result.textContent = data.message || data.error || "校验失败";
        result.className = data.ok ? "ok" : "bad";
      })
      .catch(function () {
        result.textContent = "校验请求失败：无法连接服务器，请稍后重试";
        result.className = "bad";
      })
      .finally(function () { button.disabled = false; });
  });
});
