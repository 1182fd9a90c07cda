<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name></name>
    <message>
        <source>正在生成演示数据</source>
        <translation>Generating demo data</translation>
    </message>
    <message>
        <source>演示数据已生成。</source>
        <translation>Demo data generated.</translation>
    </message>
    <message>
        <source>演示数据未生成：{m}</source>
        <translation>Demo data not generated: {m}</translation>
    </message>
    <message>
        <source>已取消生成演示数据。</source>
        <translation>Demo data generation cancelled.</translation>
    </message>
    <message>
        <source>可拖入图片文件或截图，或按 Ctrl+V 粘贴</source>
        <translation>Drop image files or screenshots here, or paste with Ctrl+V</translation>
    </message>
    <message>
        <source>添加图片…</source>
        <translation>Add images…</translation>
    </message>
    <message>
        <source>粘贴截图</source>
        <translation>Paste screenshot</translation>
    </message>
    <message>
        <source>选择图片</source>
        <translation>Choose images</translation>
    </message>
    <message>
        <source>图片</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>欢迎使用运维工作台</source>
        <translation>Welcome to OM Workbench</translation>
    </message>
    <message>
        <source>数据只保存在本机：{folder}。先填写您的身份（记录和签字以此署名），再选择要使用的合同。</source>
        <translation>Data stays on this computer: {folder}. First enter who you are (records and signatures carry your name), then choose the contracts to use.</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>内置合同档案（可在「设置」中导入自己的合同）：</source>
        <translation>Built-in contract profiles (import your own contract under &quot;Settings&quot;):</translation>
    </message>
    <message>
        <source>{n} 个系统</source>
        <translation>{n} systems</translation>
    </message>
    <message>
        <source> 个月</source>
        <translation> months</translation>
    </message>
    <message>
        <source>含演示数据的数据目录不与真实记录交换；正式使用时请另建数据目录。</source>
        <translation>A data folder with demo data never exchanges records with real work; for real use, start another data folder.</translation>
    </message>
    <message>
        <source>生成演示数据（虚构的人员和记录，便于熟悉功能；不与真实记录交换）</source>
        <translation>Generate demo data (invented people and records, to get to know the app; never exchanged with real records)</translation>
    </message>
    <message>
        <source>开始使用</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>本应用从今天（{day}）开始记录 {codes}</source>
        <translation>Records in this app begin today ({day}) for {codes}</translation>
    </message>
    <message>
        <source>合同已进行了一段时间：勾选后，此前到期而未在本应用记录的巡检和交付物不计为未完成或逾期（启用日期，以后可在「设置」中修改）。加入团队的工程师不必勾选：导入项目经理的交换包后，以项目经理的合同档案为准。</source>
        <translation>The contract has been running for a while: ticked, checks and deliverables that fell due before today and were not recorded in this app do not count as missed or overdue (the start date, which can be changed later in Settings). An engineer joining a team need not tick it: once the PM&apos;s bundle is imported, the PM&apos;s contract profile applies.</translation>
    </message>
    <message>
        <source>数据库加密</source>
        <translation>Database encryption</translation>
    </message>
    <message>
        <source>加密数据库（推荐在甲方现场使用）</source>
        <translation>Encrypt the database (recommended at the client&apos;s site)</translation>
    </message>
    <message>
        <source>用 SQLCipher（AES-256）加密整个数据库，包括附件和签名图片；开始使用时显示一次恢复密钥，请务必保存。以后也可在「设置」中加密或解密。</source>
        <translation>Encrypts the whole database with SQLCipher (AES-256), attachments and signature images included; a recovery key is shown once when you start — be sure to save it. You can also encrypt or decrypt later in Settings.</translation>
    </message>
    <message>
        <source>密钥文件口令</source>
        <translation>Key file passphrase</translation>
    </message>
    <message>
        <source>数据库已加密（密钥 ID {id}）。</source>
        <translation>The database is encrypted (key ID {id}).</translation>
    </message>
    <message>
        <source>不使用系统钥匙串（{reason}）。数据库密钥将保存在{where}，由您在下面设置的口令保护；开始使用时还会显示一次恢复密钥，请务必保存。</source>
        <translation>The system keyring is not used ({reason}). The database key will be kept in {where}, protected by the passphrase you set below; a recovery key is also shown once when you start — be sure to save it.</translation>
    </message>
    <message>
        <source>数据库密钥将保存在{where}，请输入它的口令；开始使用时会显示一次恢复密钥，请务必保存。</source>
        <translation>The database key will be kept in {where}; enter its passphrase. A recovery key is shown once when you start — be sure to save it.</translation>
    </message>
    <message>
        <source>用 SQLCipher（AES-256）加密整个数据库，包括附件和签名图片。密钥保存在{where}；开始使用时显示一次恢复密钥，请务必保存。</source>
        <translation>Encrypts the whole database with SQLCipher (AES-256), attachments and signature images included. The key is kept in {where}; a recovery key is shown once when you start — be sure to save it.</translation>
    </message>
    <message>
        <source>正在加密数据库…</source>
        <translation>Encrypting the database…</translation>
    </message>
    <message>
        <source>正在加密数据库</source>
        <translation>Encrypting the database</translation>
    </message>
    <message>
        <source>数据库未加密：{m}</source>
        <translation>The database was not encrypted: {m}</translation>
    </message>
    <message>
        <source>请填写您的姓名。</source>
        <translation>Please enter your name.</translation>
    </message>
    <message>
        <source>请至少选择一个合同。</source>
        <translation>Please choose at least one contract.</translation>
    </message>
    <message>
        <source>正常</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>警告</source>
        <translation>Warning</translation>
    </message>
    <message>
        <source>异常</source>
        <translation>Abnormal</translation>
    </message>
    <message>
        <source>不适用</source>
        <translation>N/A</translation>
    </message>
    <message>
        <source>（选填）</source>
        <translation> (optional)</translation>
    </message>
    <message>
        <source>检查方法：{method}
标准/阈值：{standard}</source>
        <translation>Method: {method}
Standard/threshold: {standard}</translation>
    </message>
    <message>
        <source>数值</source>
        <translation>Value</translation>
    </message>
    <message>
        <source>数值（{unit}）</source>
        <translation>Value ({unit})</translation>
    </message>
    <message>
        <source>数值一</source>
        <translation>Value 1</translation>
    </message>
    <message>
        <source>数值二</source>
        <translation>Value 2</translation>
    </message>
    <message>
        <source>填写…</source>
        <translation>Enter…</translation>
    </message>
    <message>
        <source>异常情况（警告/异常必填）</source>
        <translation>Finding (required for warning/abnormal)</translation>
    </message>
    <message>
        <source>处理措施</source>
        <translation>Action taken</translation>
    </message>
    <message>
        <source>生成故障单</source>
        <translation>Open fault</translation>
    </message>
    <message>
        <source>处理措施（异常必填，或 Ctrl+G 生成故障单）</source>
        <translation>Measure taken (required when abnormal, or Ctrl+G to open a fault)</translation>
    </message>
    <message>
        <source>故障单 {number}</source>
        <translation>Fault {number}</translation>
    </message>
    <message>
        <source>照片 {n}</source>
        <translation>Photos {n}</translation>
    </message>
    <message>
        <source>巡检记录单 · {title}</source>
        <translation>Inspection record · {title}</translation>
    </message>
    <message>
        <source>已恢复上次未保存的内容（草稿），请核对后保存；关闭时可选择放弃。</source>
        <translation>Restored what was not saved last time (draft); check it and save; when closing you may discard it.</translation>
    </message>
    <message>
        <source>更正…</source>
        <translation>Correct…</translation>
    </message>
    <message>
        <source>键盘：1 正常 · 2 警告 · 3 异常 · 0 不适用 · Enter 下一项 · PgDn 下一系统 · Ctrl+Shift+A 其余全部正常 · Ctrl+Enter 完成并签字</source>
        <translation>Keys: 1 normal · 2 warning · 3 abnormal · 0 N/A · Enter next item · PgDn next system · Ctrl+Shift+A all others normal · Ctrl+Enter complete and sign</translation>
    </message>
    <message>
        <source>其余全部正常</source>
        <translation>All others normal</translation>
    </message>
    <message>
        <source>自动检测</source>
        <translation>Automatic check</translation>
    </message>
    <message>
        <source>Ctrl+Shift+P：检测合同档案中的地址（可用性、DNS、篡改、死链）并填写检查项</source>
        <translation>Ctrl+Shift+P: check the addresses of the contract profile (availability, DNS, tampering, dead links) and fill in the items</translation>
    </message>
    <message>
        <source>巡检结论</source>
        <translation>Conclusion</translation>
    </message>
    <message>
        <source>整改要求</source>
        <translation>Remediation</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Remediation deadline</translation>
    </message>
    <message>
        <source>已用本次保留的签名签字（{name}）。可在 设置 → 我的签名 中关闭保留。</source>
        <translation>Signed with the signature kept for this session ({name}). Turn keeping off in Settings → My signature.</translation>
    </message>
    <message>
        <source>{n} 项异常未填写处理措施（或生成故障单），请补充后再完成：{items}</source>
        <translation>{n} abnormal item(s) have no measure taken (or fault): fill it in, then complete: {items}</translation>
    </message>
    <message>
        <source>现场照片/截图</source>
        <translation>Photos/screenshots</translation>
    </message>
    <message>
        <source>完成并签字</source>
        <translation>Complete and sign</translation>
    </message>
    <message>
        <source>导出交付物</source>
        <translation>Export deliverables</translation>
    </message>
    <message>
        <source>月度交付包</source>
        <translation>Monthly pack</translation>
    </message>
    <message>
        <source>验收归档（日期范围）</source>
        <translation>Acceptance archive (date range)</translation>
    </message>
    <message>
        <source>导出内容</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>月份</source>
        <translation>Month</translation>
    </message>
    <message>
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <source>日期范围</source>
        <translation>Dates</translation>
    </message>
    <message>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>输出目录</source>
        <translation>Output folder</translation>
    </message>
    <message>
        <source>仍导出标为「待补充」的交付物（按现有内容）；不勾选则导出包中不含它们</source>
        <translation>Also export the deliverables marked “to be completed” (as they are); unticked, the pack leaves them out</translation>
    </message>
    <message>
        <source>导出文件含保密信息；带离甲方现场须经甲方许可并加密保存（合同保密条款）。</source>
        <translation>Exports hold confidential data; taking them off the client site needs the client&apos;s consent and encryption (confidentiality clause).</translation>
    </message>
    <message>
        <source>打开输出目录</source>
        <translation>Open output folder</translation>
    </message>
    <message>
        <source>导出</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>登记已提交…</source>
        <translation>Register as handed in…</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>（已导出过）</source>
        <translation> (exported before)</translation>
    </message>
    <message>
        <source>&#x3000;「待补充」</source>
        <translation>&#x3000;“to be completed”: </translation>
    </message>
    <message>
        <source>「待补充」{n} 项：</source>
        <translation>To be completed: {n}</translation>
    </message>
    <message>
        <source>{label}：{n} 个文件，另含 manifest.json 与 SHA256SUMS，并打包为 zip。</source>
        <translation>{label}: {n} files, plus manifest.json and SHA256SUMS, also zipped.</translation>
    </message>
    <message>
        <source>……另有 {n} 条（指向此处查看全部）</source>
        <translation>… and {n} more (hover here to see all)</translation>
    </message>
    <message>
        <source>合同要求复核：{n} 条记录尚未经复核人签字（导出前会再次确认）：</source>
        <translation>The contract requires review: {n} records are not yet countersigned by the reviewer (you will be asked again before exporting):</translation>
    </message>
    <message>
        <source>有未复核的记录</source>
        <translation>Records not reviewed</translation>
    </message>
    <message>
        <source>本月有 {n} 条记录尚未经复核人签字，合同要求复核。
建议先在「复核」页复核。仍要导出吗？</source>
        <translation>{n} records of this month are not yet countersigned by the reviewer, and the contract requires review.
Review them on the Review page first. Export anyway?</translation>
    </message>
    <message>
        <source>选择输出目录</source>
        <translation>Choose the output folder</translation>
    </message>
    <message>
        <source>所有交付物均待补充，没有可导出的文件。</source>
        <translation>Every deliverable is still to be completed: there is no file to export.</translation>
    </message>
    <message>
        <source>正在导出 {label}</source>
        <translation>Exporting {label}</translation>
    </message>
    <message>
        <source>导出已取消，未留下任何文件。</source>
        <translation>Export cancelled; no files were left behind.</translation>
    </message>
    <message>
        <source>已导出 {n} 个文件到 {folder}</source>
        <translation>Exported {n} files to {folder}</translation>
    </message>
    <message>
        <source>已将本次导出的 {n} 项交付物交给甲方了吗？登记后显示为「已提交」。</source>
        <translation>Have the {n} deliverables of this export been handed to the client? They will then show as handed in.</translation>
    </message>
    <message>
        <source>已登记提交 {n} 项交付物。</source>
        <translation>{n} deliverables registered as handed in.</translation>
    </message>
    <message>
        <source>{contract} · 巡检日期 {day} · 巡检人员 {who}</source>
        <translation>{contract} · inspection date {day} · inspector {who}</translation>
    </message>
    <message>
        <source>此记录已有更正版本，请打开最新版本。</source>
        <translation>This record has a corrected version; open the latest one.</translation>
    </message>
    <message>
        <source>已签字锁定：内容不能再修改；如需更正，请点「更正」生成更正记录。</source>
        <translation>Signed and locked: the content cannot change; to correct it, click &quot;Correct&quot; to create an amendment.</translation>
    </message>
    <message>
        <source>更正记录，更正原因：{reason}</source>
        <translation>Amendment; reason: {reason}</translation>
    </message>
    <message>
        <source>已填 {filled}/{total} · 正常 {n} · 警告 {w} · 异常 {a} · 不适用 {na}</source>
        <translation>Filled {filled}/{total} · normal {n} · warning {w} · abnormal {a} · N/A {na}</translation>
    </message>
    <message>
        <source>必填未填 {n} 项</source>
        <translation>{n} required items not filled</translation>
    </message>
    <message>
        <source>{n} 项警告/异常待填异常情况</source>
        <translation>{n} warning/abnormal items need a finding</translation>
    </message>
    <message>
        <source>自动检测完成：填写 {n} 项，{k} 项异常或警告（已记下测量结果，请填写处理措施或生成故障单）。</source>
        <translation>Automatic check done: {n} items filled, {k} abnormal or warning (the measurements are noted; enter the action taken or create a fault report).</translation>
    </message>
    <message>
        <source>自动检测完成：填写 {n} 项。</source>
        <translation>Automatic check done: {n} items filled.</translation>
    </message>
    <message>
        <source>照片 · {item}</source>
        <translation>Photos · {item}</translation>
    </message>
    <message>
        <source>目标 {t}</source>
        <translation>target {t}</translation>
    </message>
    <message>
        <source>无时限</source>
        <translation>no target</translation>
    </message>
    <message>
        <source>{target} · {state}（用时 {used}）</source>
        <translation>{target} · {state} (took {used})</translation>
    </message>
    <message>
        <source>{target} · {countdown}（截止 {due}）</source>
        <translation>{target} · {countdown} (due {due})</translation>
    </message>
    <message>
        <source>剩余 {t}</source>
        <translation>{t} left</translation>
    </message>
    <message>
        <source>超时 {t}</source>
        <translation>{t} over</translation>
    </message>
    <message>
        <source>现在</source>
        <translation>Now</translation>
    </message>
    <message>
        <source>未保存的内容</source>
        <translation>Unsaved changes</translation>
    </message>
    <message>
        <source>「{title}」有尚未保存的内容。</source>
        <translation>“{title}” has changes that are not saved yet.</translation>
    </message>
    <message>
        <source>保存草稿：内容留作草稿，再次打开此记录或下次启动时可恢复；放弃：丢弃尚未保存的内容；取消：继续填写。</source>
        <translation>Save draft: keep the changes as a draft, offered again when this record is opened or at the next start; Discard: drop the unsaved changes; Cancel: keep editing.</translation>
    </message>
    <message>
        <source>保存草稿</source>
        <translation>Save draft</translation>
    </message>
    <message>
        <source>放弃</source>
        <translation>Discard</translation>
    </message>
    <message>
        <source>报告时间</source>
        <translation>Reported</translation>
    </message>
    <message>
        <source>响应时间</source>
        <translation>Responded</translation>
    </message>
    <message>
        <source>到场时间</source>
        <translation>On site</translation>
    </message>
    <message>
        <source>恢复时间</source>
        <translation>Recovered</translation>
    </message>
    <message>
        <source>关闭时间</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>故障标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>影响范围</source>
        <translation>Impact</translation>
    </message>
    <message>
        <source>处理人</source>
        <translation>Handler</translation>
    </message>
    <message>
        <source>协调人</source>
        <translation>Coordinator</translation>
    </message>
    <message>
        <source>一、故障现象</source>
        <translation>1. Symptom</translation>
    </message>
    <message>
        <source>二、影响分析</source>
        <translation>2. Impact analysis</translation>
    </message>
    <message>
        <source>三、原因分析</source>
        <translation>3. Cause</translation>
    </message>
    <message>
        <source>四、处理过程（临时措施 → 根本解决 → 验证）</source>
        <translation>4. Handling (workaround → fix → verification)</translation>
    </message>
    <message>
        <source>五、整改及预防措施</source>
        <translation>5. Remediation and prevention</translation>
    </message>
    <message>
        <source>处理结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>系统</source>
        <translation>System</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>应急事件</source>
        <translation>Emergency</translation>
    </message>
    <message>
        <source>发现方式</source>
        <translation>Found by</translation>
    </message>
    <message>
        <source>故障现象</source>
        <translation>Symptom</translation>
    </message>
    <message>
        <source>影响分析</source>
        <translation>Impact analysis</translation>
    </message>
    <message>
        <source>原因分析</source>
        <translation>Cause</translation>
    </message>
    <message>
        <source>处理过程</source>
        <translation>Handling</translation>
    </message>
    <message>
        <source>整改及预防措施</source>
        <translation>Corrective and preventive measures</translation>
    </message>
    <message>
        <source>中断开始时间</source>
        <translation>Outage start time</translation>
    </message>
    <message>
        <source>中断结束时间</source>
        <translation>Outage end time</translation>
    </message>
    <message>
        <source>不能填写将来的时间（晚于当前时间）。</source>
        <translation>Cannot be in the future (later than now).</translation>
    </message>
    <message>
        <source>报告时间必须填写。</source>
        <translation>The report time is required.</translation>
    </message>
    <message>
        <source>中断服务时必须填写中断开始时间。</source>
        <translation>An outage needs its start time.</translation>
    </message>
    <message>
        <source>故障恢复后才能关闭，请先填写恢复时间。</source>
        <translation>A fault is closed only once recovered: enter the recovery time first.</translation>
    </message>
    <message>
        <source>故障已关闭，请填写中断结束时间（服务恢复的时间）。</source>
        <translation>The fault is closed: enter the outage end time (when the service came back).</translation>
    </message>
    <message>
        <source>{field}不能早于{other}。</source>
        <translation>{field} cannot be earlier than {other}.</translation>
    </message>
    <message>
        <source>{field}不能晚于{other}。</source>
        <translation>{field} cannot be later than {other}.</translation>
    </message>
    <message>
        <source>{field}必须晚于{other}。</source>
        <translation>{field} must be later than {other}.</translation>
    </message>
    <message>
        <source>故障单</source>
        <translation>Fault</translation>
    </message>
    <message>
        <source>（不涉及具体系统）</source>
        <translation>(no particular system)</translation>
    </message>
    <message>
        <source>（不是应急事件）</source>
        <translation>(not an emergency)</translation>
    </message>
    <message>
        <source>时间节点及 SLA</source>
        <translation>Timeline and SLA</translation>
    </message>
    <message>
        <source>服务中断（计入可用率）</source>
        <translation>Service outage (counts towards availability)</translation>
    </message>
    <message>
        <source>（未填写）</source>
        <translation>(not filled in)</translation>
    </message>
    <message>
        <source>否，未中断服务</source>
        <translation>No, the service stayed available</translation>
    </message>
    <message>
        <source>是，服务中断</source>
        <translation>Yes, the service was down</translation>
    </message>
    <message>
        <source>是否中断服务</source>
        <translation>Service interrupted</translation>
    </message>
    <message>
        <source>中断的系统</source>
        <translation>Systems down</translation>
    </message>
    <message>
        <source>中断开始</source>
        <translation>Outage start</translation>
    </message>
    <message>
        <source>中断结束</source>
        <translation>Outage end</translation>
    </message>
    <message>
        <source>选择系统…</source>
        <translation>Choose systems…</translation>
    </message>
    <message>
        <source>合同要求：关闭故障单前必须填写。</source>
        <translation>Required by the contract before the fault is closed.</translation>
    </message>
    <message>
        <source>六、附件（截图/照片）</source>
        <translation>6. Attachments (screenshots/photos)</translation>
    </message>
    <message>
        <source>「现在」记下当前时间；时间也可直接输入，格式 2026-11-20 09:30。</source>
        <translation>&quot;Now&quot; records the current time; times can also be typed, e.g. 2026-11-20 09:30.</translation>
    </message>
    <message>
        <source>保存故障单</source>
        <translation>Save fault</translation>
    </message>
    <message>
        <source>关闭窗口</source>
        <translation>Close window</translation>
    </message>
    <message>
        <source>故障单 {number} {title}</source>
        <translation>Fault {number} {title}</translation>
    </message>
    <message>
        <source>（新）</source>
        <translation>(new)</translation>
    </message>
    <message>
        <source>新故障单</source>
        <translation>New fault</translation>
    </message>
    <message>
        <source>时间格式应为 YYYY-MM-DD HH:MM。</source>
        <translation>Times are written YYYY-MM-DD HH:MM.</translation>
    </message>
    <message>
        <source>关闭前请先填写：{sections}。</source>
        <translation>Before closing, fill in: {sections}.</translation>
    </message>
    <message>
        <source>关闭故障单前必须填写此部分。</source>
        <translation>Required before the fault is closed.</translation>
    </message>
    <message>
        <source>请先改正标出的问题：{problems}</source>
        <translation>Correct the marked problems first: {problems}</translation>
    </message>
    <message>
        <source>已保存为故障单 {number}。</source>
        <translation>Saved as fault {number}.</translation>
    </message>
    <message>
        <source>来电单位</source>
        <translation>Caller unit</translation>
    </message>
    <message>
        <source>来电人</source>
        <translation>Caller</translation>
    </message>
    <message>
        <source>联系方式</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>问题类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>优先级</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>问题描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>处理结果/说明</source>
        <translation>Result/notes</translation>
    </message>
    <message>
        <source>服务请求</source>
        <translation>Service requests</translation>
    </message>
    <message>
        <source>（未指定）</source>
        <translation>(not given)</translation>
    </message>
    <message>
        <source>电话已解决 (Ctrl+Enter)</source>
        <translation>Solved on the phone (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>转远程</source>
        <translation>To remote</translation>
    </message>
    <message>
        <source>转现场</source>
        <translation>To on-site</translation>
    </message>
    <message>
        <source>到场（现在）</source>
        <translation>Arrived (now)</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Complete</translation>
    </message>
    <message>
        <source>转故障单</source>
        <translation>To fault</translation>
    </message>
    <message>
        <source>暂存</source>
        <translation>Keep open</translation>
    </message>
    <message>
        <source>服务请求 {number} {unit}</source>
        <translation>Service request {number} {unit}</translation>
    </message>
    <message>
        <source>服务请求 {number} · {channel} · {status}</source>
        <translation>Service request {number} · {channel} · {status}</translation>
    </message>
    <message>
        <source>新服务请求（电话）</source>
        <translation>New service request (phone)</translation>
    </message>
    <message>
        <source>接报 {at} · 已用时 {elapsed}</source>
        <translation>Received {at} · elapsed {elapsed}</translation>
    </message>
    <message>
        <source>接报 {at}</source>
        <translation>Received {at}</translation>
    </message>
    <message>
        <source>如转现场到场</source>
        <translation>If sent on site</translation>
    </message>
    <message>
        <source>已记录服务请求 {number}（{channel} · {status}）</source>
        <translation>Service request {number} logged ({channel} · {status})</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>会议名称</source>
        <translation>Meeting title</translation>
    </message>
    <message>
        <source>会议时间</source>
        <translation>Meeting time</translation>
    </message>
    <message>
        <source>结束时间</source>
        <translation>End time</translation>
    </message>
    <message>
        <source>地点</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>主持人</source>
        <translation>Chair</translation>
    </message>
    <message>
        <source>记录人</source>
        <translation>Recorder</translation>
    </message>
    <message>
        <source>出席人员</source>
        <translation>Attendees</translation>
    </message>
    <message>
        <source>缺席人员</source>
        <translation>Absentees</translation>
    </message>
    <message>
        <source>议程</source>
        <translation>Agenda</translation>
    </message>
    <message>
        <source>会议内容</source>
        <translation>Discussion</translation>
    </message>
    <message>
        <source>决议</source>
        <translation>Decisions</translation>
    </message>
    <message>
        <source>会议纪要</source>
        <translation>Meeting minutes</translation>
    </message>
    <message>
        <source>姓名之间用顿号分隔，如 张三、李四</source>
        <translation>Separate names with 、, e.g. 张三、李四</translation>
    </message>
    <message>
        <source>行动项</source>
        <translation>Action items</translation>
    </message>
    <message>
        <source>已完成</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>负责人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>添加行动项 (Ctrl+N)</source>
        <translation>Add action item (Ctrl+N)</translation>
    </message>
    <message>
        <source>删除所选行动项</source>
        <translation>Delete selected action items</translation>
    </message>
    <message>
        <source>保存 (Ctrl+S)</source>
        <translation>Save (Ctrl+S)</translation>
    </message>
    <message>
        <source>定稿 (Ctrl+Enter)</source>
        <translation>Finalize (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>退回草稿</source>
        <translation>Back to draft</translation>
    </message>
    <message>
        <source>会议纪要 {number} {title}</source>
        <translation>Minutes {number} {title}</translation>
    </message>
    <message>
        <source>已签字</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>会议纪要 {number} · {status}</source>
        <translation>Minutes {number} · {status}</translation>
    </message>
    <message>
        <source>新会议纪要</source>
        <translation>New meeting minutes</translation>
    </message>
    <message>
        <source>行动项 {n}：完成时间格式应为 YYYY-MM-DD。</source>
        <translation>Action item {n}: the due date must be YYYY-MM-DD.</translation>
    </message>
    <message>
        <source>已保存。</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>已定稿，可以签字（运维人员先签）。</source>
        <translation>Finalized; it can now be signed (the engineer signs first).</translation>
    </message>
    <message>
        <source>有尚未保存的修改，请先保存再签字。</source>
        <translation>There are unsaved changes; save before signing.</translation>
    </message>
    <message>
        <source>待办</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>进行中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <source>已逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>未开始</source>
        <translation>Not yet</translation>
    </message>
    <message>
        <source>已作废</source>
        <translation>Voided</translation>
    </message>
    <message>
        <source>已导出，待提交</source>
        <translation>Exported, to hand in</translation>
    </message>
    <message>
        <source>启用前</source>
        <translation>Before start</translation>
    </message>
    <message>
        <source>巡检</source>
        <translation>Inspections</translation>
    </message>
    <message>
        <source>节假日检查</source>
        <translation>Holiday check</translation>
    </message>
    <message>
        <source>交付物</source>
        <translation>Deliverables</translation>
    </message>
    <message>
        <source>日</source>
        <translation>Daily</translation>
    </message>
    <message>
        <source>周</source>
        <translation>Weekly</translation>
    </message>
    <message>
        <source>月</source>
        <translation>Monthly</translation>
    </message>
    <message>
        <source>季</source>
        <translation>Quarterly</translation>
    </message>
    <message>
        <source>半年</source>
        <translation>Half-yearly</translation>
    </message>
    <message>
        <source>年</source>
        <translation>Yearly</translation>
    </message>
    <message>
        <source>节前</source>
        <translation>Before</translation>
    </message>
    <message>
        <source>节日期间</source>
        <translation>During</translation>
    </message>
    <message>
        <source>节日期间每日</source>
        <translation>Daily during</translation>
    </message>
    <message>
        <source>节后</source>
        <translation>After</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>远程</source>
        <translation>Remote</translation>
    </message>
    <message>
        <source>现场</source>
        <translation>On site</translation>
    </message>
    <message>
        <source>处理中</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>已解决</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <source>已转故障</source>
        <translation>Became a fault</translation>
    </message>
    <message>
        <source>未解决</source>
        <translation>Unresolved</translation>
    </message>
    <message>
        <source>低</source>
        <translation>Low</translation>
    </message>
    <message>
        <source>普通</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>高</source>
        <translation>High</translation>
    </message>
    <message>
        <source>紧急</source>
        <translation>Urgent</translation>
    </message>
    <message>
        <source>已恢复</source>
        <translation>Recovered</translation>
    </message>
    <message>
        <source>已关闭</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>告警</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <source>用户反馈</source>
        <translation>User report</translation>
    </message>
    <message>
        <source>域名劫持</source>
        <translation>Domain hijacked</translation>
    </message>
    <message>
        <source>网页篡改</source>
        <translation>Page defaced</translation>
    </message>
    <message>
        <source>无法访问</source>
        <translation>Unreachable</translation>
    </message>
    <message>
        <source>服务器故障恢复</source>
        <translation>Server recovery</translation>
    </message>
    <message>
        <source>已定稿</source>
        <translation>Final</translation>
    </message>
    <message>
        <source>一般</source>
        <translation>Minor</translation>
    </message>
    <message>
        <source>严重</source>
        <translation>Serious</translation>
    </message>
    <message>
        <source>重大</source>
        <translation>Major</translation>
    </message>
    <message>
        <source>特别重大</source>
        <translation>Critical</translation>
    </message>
    <message>
        <source>达标</source>
        <translation>met</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>breached</translation>
    </message>
    <message>
        <source>已超时</source>
        <translation>overdue</translation>
    </message>
    <message>
        <source>响应</source>
        <translation>Response</translation>
    </message>
    <message>
        <source>远程支持</source>
        <translation>Remote support</translation>
    </message>
    <message>
        <source>到场</source>
        <translation>On site</translation>
    </message>
    <message>
        <source>恢复</source>
        <translation>Recovery</translation>
    </message>
    <message>
        <source>法定</source>
        <translation>statutory</translation>
    </message>
    <message>
        <source>约定</source>
        <translation>agreed</translation>
    </message>
    <message>
        <source>运维工程师</source>
        <translation>O&amp;M engineer</translation>
    </message>
    <message>
        <source>项目经理</source>
        <translation>Project manager</translation>
    </message>
    <message>
        <source>技术经理</source>
        <translation>Technical manager</translation>
    </message>
    <message>
        <source>安全工程师</source>
        <translation>Security engineer</translation>
    </message>
    <message>
        <source>开发工程师</source>
        <translation>Developer</translation>
    </message>
    <message>
        <source>运维工作台已在运行（数据目录 {folder}），已切换到已打开的窗口。</source>
        <translation>OM Workbench is already running (data folder {folder}); switched to the open window.</translation>
    </message>
    <message>
        <source>无法打开数据</source>
        <translation>Cannot open the data</translation>
    </message>
    <message>
        <source>最新的备份是 {name}（{time}）。要从这个备份恢复吗？</source>
        <translation>The latest backup is {name} ({time}). Restore from this backup? </translation>
    </message>
    <message>
        <source>恢复前先演练校验备份；损坏的文件原样保留在备份文件夹中。</source>
        <translation>The backup is drilled and verified before it is restored; the damaged file is kept as it is in the backup folder.</translation>
    </message>
    <message>
        <source>无法从 {name} 恢复：{reason}</source>
        <translation>Could not restore from {name}: {reason}</translation>
    </message>
    <message>
        <source>更早的备份是 {name}（{time}）。要从这个备份恢复吗？</source>
        <translation>An earlier backup is {name} ({time}). Restore from this backup? </translation>
    </message>
    <message>
        <source>数据库文件已损坏</source>
        <translation>The database file is damaged</translation>
    </message>
    <message>
        <source>自动备份失败：{m}</source>
        <translation>Automatic backup failed: {m}</translation>
    </message>
    <message>
        <source>无法重新启动，请手动启动运维工作台。</source>
        <translation>Could not restart; please start OM Workbench again yourself.</translation>
    </message>
    <message>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>故障</source>
        <translation>Faults</translation>
    </message>
    <message>
        <source>节假日保障</source>
        <translation>Holiday duty</translation>
    </message>
    <message>
        <source>复核</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>团队</source>
        <translation>Team</translation>
    </message>
    <message>
        <source>知识库</source>
        <translation>Knowledge base</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>运维工作台</source>
        <translation>OM Workbench</translation>
    </message>
    <message>
        <source>合同</source>
        <translation>Contract</translation>
    </message>
    <message>
        <source>合同：</source>
        <translation>Contract:</translation>
    </message>
    <message>
        <source>搜索… (Ctrl+F)</source>
        <translation>Search… (Ctrl+F)</translation>
    </message>
    <message>
        <source>搜索</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>新服务请求 (F2)</source>
        <translation>New service request (F2)</translation>
    </message>
    <message>
        <source>退出 ({key})</source>
        <translation>Quit ({key})</translation>
    </message>
    <message>
        <source>正在打开数据…</source>
        <translation>Opening the data…</translation>
    </message>
    <message>
        <source>{name}（{role}）</source>
        <translation>{name} ({role})</translation>
    </message>
    <message>
        <source>无未关闭的故障</source>
        <translation>No open faults</translation>
    </message>
    <message>
        <source>未关闭故障 {n}：</source>
        <translation>Open faults {n}: </translation>
    </message>
    <message>
        <source> 等 {n} 条</source>
        <translation> and {n} more</translation>
    </message>
    <message>
        <source>{page} ({n})</source>
        <translation>{page} ({n})</translation>
    </message>
    <message>
        <source>今日待办和已逾期事项：{n}</source>
        <translation>Due today and overdue: {n}</translation>
    </message>
    <message>
        <source>数据完整性检查未能完成：{m}</source>
        <translation>The data integrity check could not be completed: {m}</translation>
    </message>
    <message>
        <source>运维工作台已在运行，这是已打开的窗口。</source>
        <translation>OM Workbench is already running; this is the open window.</translation>
    </message>
    <message>
        <source>请先关闭打开的表单（{n} 个），再进行此操作。</source>
        <translation>Close the open forms ({n}) first, then try again.</translation>
    </message>
    <message>
        <source>请等待正在进行的操作（导出、备份等）完成后再试。</source>
        <translation>Wait until the running task (export, backup…) has finished, then try again.</translation>
    </message>
    <message>
        <source>数据库正在转换或恢复，请稍候再关闭。</source>
        <translation>The database is being converted or restored; close the window when it is done.</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>无法读写{where}：{why}。</source>
        <translation>Cannot read or write{where}: {why}.</translation>
    </message>
    <message>
        <source>正在取消…</source>
        <translation>Cancelling…</translation>
    </message>
    <message>
        <source>登记已提交</source>
        <translation>Mark handed in</translation>
    </message>
    <message>
        <source>导出…</source>
        <translation>Export…</translation>
    </message>
    <message>
        <source>核验交付包…</source>
        <translation>Verify pack…</translation>
    </message>
    <message>
        <source>未完成</source>
        <translation>Not done</translation>
    </message>
    <message>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <source>截止日期</source>
        <translation>Due date</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>截止规则</source>
        <translation>Due rule</translation>
    </message>
    <message>
        <source>份数</source>
        <translation>Copies</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>提交情况</source>
        <translation>Handed in</translation>
    </message>
    <message>
        <source>截止日期按法定工作日（含调休）计算；带 * 的日期按周一至周五推算。</source>
        <translation>Due dates count statutory working days (with make-up days); dates marked * assume Monday to Friday.</translation>
    </message>
    <message>
        <source>已提交</source>
        <translation>handed in</translation>
    </message>
    <message>
        <source>已导出</source>
        <translation>exported</translation>
    </message>
    <message>
        <source>（按截止日期登记）</source>
        <translation> (registered on its due date)</translation>
    </message>
    <message>
        <source>（逾期）</source>
        <translation> (late)</translation>
    </message>
    <message>
        <source>{name}：已签 {kinds}，待复核 {waiting}，被退回 {returned}，今日完成 {done}</source>
        <translation>{name}: signed {kinds}, awaiting review {waiting}, sent back {returned}, done today {done}</translation>
    </message>
    <message>
        <source>未开始：待办 {due} · 已逾期 {overdue}</source>
        <translation>Not started: due {due} · overdue {overdue}</translation>
    </message>
    <message>
        <source>本月团队（{month}）：</source>
        <translation>Team this month ({month}): </translation>
    </message>
    <message>
        <source>显示 {shown} / 共 {total} 项</source>
        <translation>Showing {shown} of {total}</translation>
    </message>
    <message>
        <source>请先选择尚未提交的交付物（可按住 Ctrl 或 Shift 多选）。</source>
        <translation>Select deliverables not handed in yet first (Ctrl or Shift selects several).</translation>
    </message>
    <message>
        <source>已登记提交：{name}（{period}）</source>
        <translation>Marked handed in: {name} ({period})</translation>
    </message>
    <message>
        <source>每日检查表逐日一张；双击或按 Enter 打开（未开始的当日检查会自动新建）。</source>
        <translation>One daily check sheet per day; double-click or press Enter to open it (a sheet not started yet is created).</translation>
    </message>
    <message>
        <source>阶段</source>
        <translation>Phase</translation>
    </message>
    <message>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>检查表</source>
        <translation>Check sheet</translation>
    </message>
    <message>
        <source>截止</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>应急事件（记录为故障单）</source>
        <translation>Emergency events (recorded as faults)</translation>
    </message>
    <message>
        <source>记录应急事件</source>
        <translation>Record emergency</translation>
    </message>
    <message>
        <source>故障单号</source>
        <translation>Fault no.</translation>
    </message>
    <message>
        <source>该合同没有节假日保障期。</source>
        <translation>This contract has no holiday periods.</translation>
    </message>
    <message>
        <source>{name}（{start} 至 {end}）</source>
        <translation>{name} ({start} to {end})</translation>
    </message>
    <message>
        <source>完成 {done}/{total}</source>
        <translation>done {done}/{total}</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All states</translation>
    </message>
    <message>
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>加载列表</source>
        <translation>Loading the list</translation>
    </message>
    <message>
        <source>显示 {shown} / 共 {total} 条</source>
        <translation>Showing {shown} of {total}</translation>
    </message>
    <message>
        <source>（另有已作废 {n} 条，不计）</source>
        <translation> (plus {n} voided, not counted)</translation>
    </message>
    <message>
        <source>巡检记录</source>
        <translation>Inspection records</translation>
    </message>
    <message>
        <source>巡检日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>周期</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>巡检人员</source>
        <translation>Inspector</translation>
    </message>
    <message>
        <source>完成时间</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>更正</source>
        <translation>Amended</translation>
    </message>
    <message>
        <source>新建巡检…</source>
        <translation>New inspection…</translation>
    </message>
    <message>
        <source>新建巡检</source>
        <translation>New inspection</translation>
    </message>
    <message>
        <source>开始</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>故障记录</source>
        <translation>Fault records</translation>
    </message>
    <message>
        <source>新建故障单</source>
        <translation>New fault</translation>
    </message>
    <message>
        <source>服务单号</source>
        <translation>Request no.</translation>
    </message>
    <message>
        <source>接报时间</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>受理人</source>
        <translation>Taken by</translation>
    </message>
    <message>
        <source>电话解决</source>
        <translation>On phone</translation>
    </message>
    <message>
        <source>今日 {n} 条</source>
        <translation>{n} today</translation>
    </message>
    <message>
        <source>纪要编号</source>
        <translation>Minutes no.</translation>
    </message>
    <message>
        <source>新建会议纪要</source>
        <translation>New meeting minutes</translation>
    </message>
    <message>
        <source>我的身份</source>
        <translation>Who I am</translation>
    </message>
    <message>
        <source>保存身份</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>我的签名</source>
        <translation>My signature</translation>
    </message>
    <message>
        <source>录入/更换我的签名…</source>
        <translation>Record or replace my signature…</translation>
    </message>
    <message>
        <source>删除我的签名</source>
        <translation>Delete my signature</translation>
    </message>
    <message>
        <source>本次运行期间保留已解锁的签名（完成并签字时不再询问 PIN）</source>
        <translation>Keep the unlocked signature while the app runs (Complete and sign asks no PIN)</translation>
    </message>
    <message>
        <source>提醒</source>
        <translation>Reminders</translation>
    </message>
    <message>
        <source>每天定时提醒今日待办和逾期事项</source>
        <translation>Remind me daily of what is due today and overdue at</translation>
    </message>
    <message>
        <source>允许「自动检测」访问合同档案中的地址（只在点击时运行，首次运行前列出地址请您确认）</source>
        <translation>Allow “Automatic check” to contact the addresses in the contract profile (only when you start it; the addresses are listed for your confirmation before the first run)</translation>
    </message>
    <message>
        <source>无法保存设置：{e}</source>
        <translation>Could not save the setting: {e}</translation>
    </message>
    <message>
        <source>界面语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>重新启动后生效。</source>
        <translation>Takes effect after a restart.</translation>
    </message>
    <message>
        <source>数据</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>数据目录：{path}</source>
        <translation>Data folder: {path}</translation>
    </message>
    <message>
        <source>打开数据目录</source>
        <translation>Open data folder</translation>
    </message>
    <message>
        <source>记录保存在团队中心的服务器上；数据目录中是本机的设置、签名和密钥。</source>
        <translation>Records are kept on the team hub&apos;s server; the data folder holds this computer&apos;s settings, signature and keys. </translation>
    </message>
    <message>
        <source>合同与演示数据</source>
        <translation>Contracts and demo data</translation>
    </message>
    <message>
        <source>导入合同档案（YAML）…</source>
        <translation>Import a contract profile (YAML)…</translation>
    </message>
    <message>
        <source>启用日期…</source>
        <translation>Start date…</translation>
    </message>
    <message>
        <source>为当前合同生成演示数据</source>
        <translation>Generate demo data for this contract</translation>
    </message>
    <message>
        <source>演示数据为虚构人员和记录，可用于熟悉功能；请勿用于正式合同的数据目录。</source>
        <translation>Demo data are invented people and records for getting to know the app; do not add them to a real contract&apos;s data folder.</translation>
    </message>
    <message>
        <source>合同期自 {start} 开始。若本应用从近日才开始记录合同 {code}，可在该合同下点「启用日期…」设置，此前未记录的不计为未完成或逾期。</source>
        <translation>The contract began on {start}. If this app only now starts recording {code}, set its start date under Start date… with that contract chosen; nothing unrecorded before it counts as missed or overdue.</translation>
    </message>
    <message>
        <source>{contract}：启用日期 {day}，此前未记录的不计为未完成或逾期。</source>
        <translation>{contract}: records begin on {day}; nothing unrecorded before it counts as missed or overdue.</translation>
    </message>
    <message>
        <source>{contract}：自合同期开始（{day}）统计。</source>
        <translation>{contract}: counted from the start of the contract ({day}).</translation>
    </message>
    <message>
        <source>启用日期已设为 {day}，下次导出交换包时发给同事。</source>
        <translation>Start date set to {day}; it goes to colleagues in the next exchange bundle.</translation>
    </message>
    <message>
        <source>已取消启用日期：自合同期开始统计。</source>
        <translation>Start date withdrawn: counted from the start of the contract.</translation>
    </message>
    <message>
        <source>运维工作台 版本 {v}</source>
        <translation>OM Workbench version {v}</translation>
    </message>
    <message>
        <source>团队中心的数据在服务器上，由服务器管理员加密传输（TLS）和备份。</source>
        <translation>The team hub&apos;s data is on the server: its administrator encrypts the connection (TLS) and backs it up.</translation>
    </message>
    <message>
        <source>常规</source>
        <translation>General</translation>
    </message>
    <message>
        <source>数据完整性</source>
        <translation>Data integrity</translation>
    </message>
    <message>
        <source>数据保存在本机，不联网。</source>
        <translation>Data stays on this computer, offline. </translation>
    </message>
    <message>
        <source>带离甲方现场的导出文件须经甲方许可并加密（合同保密条款）。</source>
        <translation>Exports taken off the client site need the client&apos;s consent and encryption (confidentiality clause).</translation>
    </message>
    <message>
        <source>已保存（PIN 保护）</source>
        <translation>Saved (PIN protected)</translation>
    </message>
    <message>
        <source>尚未保存。签字时也可勾选「保存为我的签名」。</source>
        <translation>Not saved. You can also tick &quot;Save as my signature&quot; when signing.</translation>
    </message>
    <message>
        <source>请填写姓名。</source>
        <translation>Please enter a name.</translation>
    </message>
    <message>
        <source>已保存。以后的记录以「{name}」署名。</source>
        <translation>Saved. New records are signed by &quot;{name}&quot;.</translation>
    </message>
    <message>
        <source>界面语言已保存，重新启动后生效。</source>
        <translation>Language saved; it takes effect after a restart.</translation>
    </message>
    <message>
        <source>界面语言已保存，重新启动后生效。现在重新启动吗？</source>
        <translation>The interface language is saved and takes effect after a restart. Restart now?</translation>
    </message>
    <message>
        <source>立即重启</source>
        <translation>Restart now</translation>
    </message>
    <message>
        <source>稍后</source>
        <translation>Later</translation>
    </message>
    <message>
        <source>选择合同档案</source>
        <translation>Choose a contract profile</translation>
    </message>
    <message>
        <source>合同档案</source>
        <translation>Contract profiles</translation>
    </message>
    <message>
        <source>已导入合同 {code}。</source>
        <translation>Contract {code} imported.</translation>
    </message>
    <message>
        <source>星期一</source>
        <translation>Monday</translation>
    </message>
    <message>
        <source>星期二</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <source>星期三</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <source>星期四</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <source>星期五</source>
        <translation>Friday</translation>
    </message>
    <message>
        <source>星期六</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <source>星期日</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <source>待复核</source>
        <translation>Awaiting review</translation>
    </message>
    <message>
        <source>已退回</source>
        <translation>Sent back</translation>
    </message>
    <message>
        <source>已更正待复核</source>
        <translation>Amended, awaiting review</translation>
    </message>
    <message>
        <source>退回给运维人员</source>
        <translation>Send back to the engineer</translation>
    </message>
    <message>
        <source>退回原因（运维人员下次交换后可见，以「更正」答复）：</source>
        <translation>Reason (the engineer sees it after the next exchange and answers with an amendment):</translation>
    </message>
    <message>
        <source>退回</source>
        <translation>Send back</translation>
    </message>
    <message>
        <source>运维人员已签字、尚未复核的记录。选中一条即在右侧查看其内容；复核签字后记录进入交付包，退回则由运维人员以「更正」答复。</source>
        <translation>Records signed by an engineer and not yet reviewed. Select one to read it on the right; countersigned records go into the packs, records sent back are answered by the engineer with an amendment.</translation>
    </message>
    <message>
        <source>退回记录</source>
        <translation>Sent back</translation>
    </message>
    <message>
        <source>当前合同</source>
        <translation>Current contract</translation>
    </message>
    <message>
        <source>全部合同</source>
        <translation>All contracts</translation>
    </message>
    <message>
        <source>已审核</source>
        <translation>reviewed</translation>
    </message>
    <message>
        <source>标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>适用系统</source>
        <translation>Systems</translation>
    </message>
    <message>
        <source>分类</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>多个标签用逗号分隔</source>
        <translation>Separate several tags with commas</translation>
    </message>
    <message>
        <source>标签</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>问题现象</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>解决方法</source>
        <translation>Solution</translation>
    </message>
    <message>
        <source>操作步骤（每行一步）</source>
        <translation>Steps (one per line)</translation>
    </message>
    <message>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <source>添加图片</source>
        <translation>Add pictures</translation>
    </message>
    <message>
        <source>图片 (*.png *.jpg *.jpeg *.gif *.bmp *.webp)</source>
        <translation>Pictures (*.png *.jpg *.jpeg *.gif *.bmp *.webp)</translation>
    </message>
    <message>
        <source>无法读取 {name}：{error}</source>
        <translation>Cannot read {name}: {error}</translation>
    </message>
    <message>
        <source>搜索结果</source>
        <translation>Search results</translation>
    </message>
    <message>
        <source>知识条目</source>
        <translation>Articles</translation>
    </message>
    <message>
        <source>常见问题</source>
        <translation>Common problems</translation>
    </message>
    <message>
        <source>搜索故障、服务请求、巡检异常和知识条目，如：卡纸、502 错误、nginx 超时（Ctrl+F）</source>
        <translation>Search faults, service requests, inspection findings and articles, e.g. 卡纸, 502 错误, nginx 超时 (Ctrl+F)</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All kinds</translation>
    </message>
    <message>
        <source>所有合同</source>
        <translation>All contracts</translation>
    </message>
    <message>
        <source>整理为知识条目…</source>
        <translation>Write up as article…</translation>
    </message>
    <message>
        <source>打开 (Enter)</source>
        <translation>Open (Enter)</translation>
    </message>
    <message>
        <source>新建…</source>
        <translation>New…</translation>
    </message>
    <message>
        <source>编辑…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>审核签字…</source>
        <translation>Review and sign…</translation>
    </message>
    <message>
        <source>次数</source>
        <translation>Times</translation>
    </message>
    <message>
        <source>涉及系统</source>
        <translation>Systems</translation>
    </message>
    <message>
        <source>最近的解决方法</source>
        <translation>Latest solution</translation>
    </message>
    <message>
        <source>同一问题（不计数字与标点）出现两次及以上即列出，按次数排列。</source>
        <translation>A problem (ignoring digits and punctuation) seen twice or more is listed, most frequent first.</translation>
    </message>
    <message>
        <source>全部系统</source>
        <translation>All systems</translation>
    </message>
    <message>
        <source>输入文字开始搜索；单字、词语、数字和英文都可以。</source>
        <translation>Type to search: single characters, words, numbers and English all work.</translation>
    </message>
    <message>
        <source>超过 {total} 条，显示最新记录中最相关的 {shown} 条；加上更多文字可缩小范围。</source>
        <translation>More than {total} found; the {shown} most relevant of the newest are shown. Type more to narrow it down.</translation>
    </message>
    <message>
        <source>共 {total} 条，显示最相关的 {shown} 条。</source>
        <translation>{total} found; the {shown} most relevant are shown.</translation>
    </message>
    <message>
        <source>共 {total} 条。</source>
        <translation>{total} found.</translation>
    </message>
    <message>
        <source>这已是知识条目。</source>
        <translation>This is already an article.</translation>
    </message>
    <message>
        <source>全部条目（{n}，已审核 {r}）</source>
        <translation>All articles ({n}, {r} reviewed)</translation>
    </message>
    <message>
        <source>按系统</source>
        <translation>By system</translation>
    </message>
    <message>
        <source>按分类</source>
        <translation>By category</translation>
    </message>
    <message>
        <source>按标签</source>
        <translation>By tag</translation>
    </message>
    <message>
        <source>（未审核）</source>
        <translation> (not reviewed)</translation>
    </message>
    <message>
        <source>（已作废）</source>
        <translation> (voided)</translation>
    </message>
    <message>
        <source>还没有知识条目。</source>
        <translation>No articles yet.</translation>
    </message>
    <message>
        <source>{name} 于 {time} 审核签字</source>
        <translation>Reviewed and signed by {name} at {time}</translation>
    </message>
    <message>
        <source>未审核</source>
        <translation>Not reviewed</translation>
    </message>
    <message>
        <source>作者</source>
        <translation>Author</translation>
    </message>
    <message>
        <source>操作步骤</source>
        <translation>Steps</translation>
    </message>
    <message>
        <source>附图</source>
        <translation>Pictures</translation>
    </message>
    <message>
        <source>打开来源记录</source>
        <translation>Open the source record</translation>
    </message>
    <message>
        <source>新建知识条目</source>
        <translation>New article</translation>
    </message>
    <message>
        <source>编辑知识条目 {number}</source>
        <translation>Edit article {number}</translation>
    </message>
    <message>
        <source>整理为知识条目</source>
        <translation>Write up as article</translation>
    </message>
    <message>
        <source>审核知识条目 {number}</source>
        <translation>Review article {number}</translation>
    </message>
    <message>
        <source>导出知识库</source>
        <translation>Export knowledge base</translation>
    </message>
    <message>
        <source>技术服务知识库.docx</source>
        <translation>knowledge-base.docx</translation>
    </message>
    <message>
        <source>Word 维护文档库 (*.docx);;Excel 知识条目清单 (*.xlsx)</source>
        <translation>Word maintenance document library (*.docx);;Excel article list (*.xlsx)</translation>
    </message>
    <message>
        <source>已导出：{path}</source>
        <translation>Exported: {path}</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>记录</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>打开表单</source>
        <translation>Open form</translation>
    </message>
    <message>
        <source>复核签字…</source>
        <translation>Countersign…</translation>
    </message>
    <message>
        <source>退回…</source>
        <translation>Send back…</translation>
    </message>
    <message>
        <source>批量复核当日例行巡检…</source>
        <translation>Countersign the day&apos;s routine checks…</translation>
    </message>
    <message>
        <source>只看退回给我的</source>
        <translation>Only those sent back to me</translation>
    </message>
    <message>
        <source>退回时间</source>
        <translation>Sent back at</translation>
    </message>
    <message>
        <source>退回原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>退回人</source>
        <translation>Sent back by</translation>
    </message>
    <message>
        <source>待更正</source>
        <translation>Awaiting amendment</translation>
    </message>
    <message>
        <source>双击打开被退回的记录；在其表单中点「更正」修改后重新签字即答复。</source>
        <translation>Double-click to open a record sent back; amend it in its form and sign again to answer.</translation>
    </message>
    <message>
        <source>加载复核队列</source>
        <translation>Loading the review queue</translation>
    </message>
    <message>
        <source>全部运维人员</source>
        <translation>All engineers</translation>
    </message>
    <message>
        <source>全部月份</source>
        <translation>All months</translation>
    </message>
    <message>
        <source>{n} 项异常</source>
        <translation>{n} exceptions</translation>
    </message>
    <message>
        <source>例行</source>
        <translation>Routine</translation>
    </message>
    <message>
        <source>待复核 {n} 条</source>
        <translation>{n} awaiting review</translation>
    </message>
    <message>
        <source>已更正</source>
        <translation>Amended</translation>
    </message>
    <message>
        <source>没有待复核的记录。</source>
        <translation>No records awaiting review.</translation>
    </message>
    <message>
        <source>{who} 于 {at} 退回：{reason}</source>
        <translation>Sent back by {who} at {at}: {reason}</translation>
    </message>
    <message>
        <source>批量复核 {day} 的例行巡检（已查看 {seen}/{n}）…</source>
        <translation>Countersign the routine checks of {day} (viewed {seen}/{n})…</translation>
    </message>
    <message>
        <source>该类记录请在其所在页面打开；内容已显示在右侧。</source>
        <translation>Open this kind of record from its own page; its content is shown on the right.</translation>
    </message>
    <message>
        <source>批量复核前请逐条查看：{day} 还有 {n} 条例行巡检未查看（在列表中选中即查看）。</source>
        <translation>View each record before countersigning in a batch: {n} routine checks of {day} not viewed yet (select one in the list to view it).</translation>
    </message>
    <message>
        <source>批量复核 {day} 的 {n} 条例行巡检（全部正常）</source>
        <translation>Countersign {n} routine checks of {day} (all normal)</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>人员</source>
        <translation>Engineer</translation>
    </message>
    <message>
        <source>双击或按 Enter 打开表单。逾期事项排在最前。</source>
        <translation>Double-click or press Enter to open the form. Overdue items come first.</translation>
    </message>
    <message>
        <source>今日 · {date} {weekday} · {contract}</source>
        <translation>Today · {date} {weekday} · {contract}</translation>
    </message>
    <message>
        <source>节假日保障模式：{holiday}。今日须完成节日期间每日检查，应急事件按故障单记录。</source>
        <translation>Holiday duty: {holiday}. Today&apos;s holiday check is due; record emergencies as faults.</translation>
    </message>
    <message>
        <source>今日不在合同服务期内。</source>
        <translation>Today is outside the contract period.</translation>
    </message>
    <message>
        <source>本合同在本应用中自 {date} 启用（启用日期），此前到期的事项不列出。</source>
        <translation>This app records the contract from {date} (its start date); nothing due before then is listed.</translation>
    </message>
    <message>
        <source>今天不是服务日（{reason}）。</source>
        <translation>Today is not a service day ({reason}).</translation>
    </message>
    <message>
        <source>下面是下一个服务日 {date} {weekday} 的工作。</source>
        <translation> Below is the work of the next service day, {weekday} {date}.</translation>
    </message>
    <message>
        <source>待办 {due} · 进行中 {progress} · 已完成 {done} · 已逾期 {overdue}</source>
        <translation>Due {due} · in progress {progress} · done {done} · overdue {overdue}</translation>
    </message>
    <message>
        <source>该年度法定节假日安排未知，按周一至周五推算</source>
        <translation>this year&apos;s statutory holidays are not known yet; Monday to Friday assumed</translation>
    </message>
    <message>
        <source>有 {n} 项交付物已逾期。已在本应用之外提交的，可在「交付物」中多选，点「登记已提交」并选「各按其截止日期」，一次登记；合同中途才开始用本应用的，也可在「设置」中该合同下点「启用日期…」声明，此前到期而未记录的不再计为逾期。</source>
        <translation>{n} deliverables are overdue. Those handed in outside this app: select them under Deliverables, click Mark handed in and choose each on its due date, all at once. A contract taken up in this app mid-way can instead declare its start date under Settings, Start date… beside the contract; what fell due before it and was not recorded no longer counts as overdue.</translation>
    </message>
    <message>
        <source>按人员：</source>
        <translation>By engineer: </translation>
    </message>
    <message>
        <source>不是服务日</source>
        <translation>Not a service day</translation>
    </message>
    <message>
        <source>今天（{reason}）不是服务日。仍要现在开始这次巡检吗？</source>
        <translation>Today ({reason}) is not a service day. Start this inspection now anyway?</translation>
    </message>
    <message>
        <source>巡检记录单</source>
        <translation>Inspection record</translation>
    </message>
    <message>
        <source>恢复未完成的表单</source>
        <translation>Restore unfinished forms</translation>
    </message>
    <message>
        <source>以下表单有尚未保存的内容：程序异常退出时仍在填写，或关闭时选择了「保存草稿」。勾选要恢复的表单：</source>
        <translation>These forms have unsaved changes: they were being filled when the program ended abnormally, or were closed with “Save draft”. Tick the forms to restore:</translation>
    </message>
    <message>
        <source>异常退出</source>
        <translation>ended abnormally</translation>
    </message>
    <message>
        <source>最后编辑 {at}</source>
        <translation>last edited {at}</translation>
    </message>
    <message>
        <source>恢复所选</source>
        <translation>Restore selected</translation>
    </message>
    <message>
        <source>丢弃所选</source>
        <translation>Discard selected</translation>
    </message>
    <message>
        <source>稍后再说</source>
        <translation>Later</translation>
    </message>
    <message>
        <source>用鼠标、手写笔或手指在此签名</source>
        <translation>Sign here with the mouse, a pen or a finger</translation>
    </message>
    <message>
        <source>请在此处签名</source>
        <translation>Sign here</translation>
    </message>
    <message>
        <source>运维人员</source>
        <translation>O&amp;M staff</translation>
    </message>
    <message>
        <source>复核人</source>
        <translation>Reviewer</translation>
    </message>
    <message>
        <source>甲方确认</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>签字：{role}</source>
        <translation>Sign: {role}</translation>
    </message>
    <message>
        <source>签字人</source>
        <translation>Signer</translation>
    </message>
    <message>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>撤销一笔</source>
        <translation>Undo stroke</translation>
    </message>
    <message>
        <source>保存为我的签名（下次输入 PIN 即可调用）</source>
        <translation>Save as my signature (reuse it next time with the PIN)</translation>
    </message>
    <message>
        <source>本次运行期间保留我的签名（完成并签字时不再询问 PIN）</source>
        <translation>Keep my signature while the app runs (Complete and sign asks no PIN)</translation>
    </message>
    <message>
        <source>甲方确认须由甲方人员当场手写签名。</source>
        <translation>The client signs by hand, on the spot.</translation>
    </message>
    <message>
        <source>PIN/口令</source>
        <translation>PIN/passphrase</translation>
    </message>
    <message>
        <source>使用已保存的签名</source>
        <translation>Use saved signature</translation>
    </message>
    <message>
        <source>已保存签名：</source>
        <translation>Saved signature:</translation>
    </message>
    <message>
        <source>设置 PIN（至少 4 位）</source>
        <translation>Set a PIN (4 or more)</translation>
    </message>
    <message>
        <source>签字</source>
        <translation>Sign</translation>
    </message>
    <message>
        <source>请填写签字人姓名。</source>
        <translation>Please enter the signer&apos;s name.</translation>
    </message>
    <message>
        <source>请先在签名区手写签名。</source>
        <translation>Please sign in the signature area first.</translation>
    </message>
    <message>
        <source>更正已签字记录</source>
        <translation>Correct a signed record</translation>
    </message>
    <message>
        <source>原记录保持不变；更正记录复制原内容，修改后需重新完成并签字。请填写更正原因：</source>
        <translation>The original stays unchanged; the amendment copies it and must be completed and signed again. Reason for the correction:</translation>
    </message>
    <message>
        <source>生成更正记录</source>
        <translation>Create amendment</translation>
    </message>
    <message>
        <source>签名以 PIN/口令加密保存在本机数据目录中，签字时输入 PIN 即可调用；甲方确认不使用已保存的签名。</source>
        <translation>Your signature is stored encrypted under a PIN/passphrase in the data folder; enter the PIN when signing to use it. The client never uses a saved signature.</translation>
    </message>
    <message>
        <source>PIN/口令（至少 4 位）</source>
        <translation>PIN/passphrase (4 or more)</translation>
    </message>
    <message>
        <source>再次输入</source>
        <translation>Repeat</translation>
    </message>
    <message>
        <source>合同档案已更新（版本 {n}，来自 {who}）：{contract}</source>
        <translation>Contract profile updated (version {n}, from {who}): {contract}</translation>
    </message>
    <message>
        <source>未声明</source>
        <translation> none declared</translation>
    </message>
    <message>
        <source>启用日期：合同 {contract} 采用交换包中的{theirs}（本机原为{ours}，尚无记录）</source>
        <translation>Start date: contract {contract} takes the bundle&apos;s{theirs} (here it was{ours}; nothing recorded yet)</translation>
    </message>
    <message>
        <source>！启用日期：合同 {contract} 本机为{ours}，交换包中为{theirs}。本机已有记录，保留本机的；要与之一致，在「设置」→「启用日期…」中改为{theirs}。</source>
        <translation>! Start date: contract {contract} is{ours} here and{theirs} in the bundle. This laptop has records under it and keeps its own; to align, set it to{theirs} in Settings → Start date….</translation>
    </message>
    <message>
        <source>本机</source>
        <translation>This laptop</translation>
    </message>
    <message>
        <source>已信任（{who}）</source>
        <translation>Trusted ({who})</translation>
    </message>
    <message>
        <source>未信任</source>
        <translation>Not trusted</translation>
    </message>
    <message>
        <source>交换包口令</source>
        <translation>Bundle passphrase</translation>
    </message>
    <message>
        <source>交换包用此口令加密。口令请当面或电话告知同事，不要与文件放在一起。</source>
        <translation>The bundle is encrypted with this passphrase. Tell it to your colleague in person or by phone; never keep it with the file.</translation>
    </message>
    <message>
        <source>请输入同事告知的交换包口令。</source>
        <translation>Enter the bundle passphrase your colleague told you.</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>导入预览：{name}</source>
        <translation>Import preview: {name}</translation>
    </message>
    <message>
        <source>签名：{who}</source>
        <translation>Signed by: {who}</translation>
    </message>
    <message>
        <source>未命名</source>
        <translation>Unnamed</translation>
    </message>
    <message>
        <source>指纹 {fp}（设备 {device}）</source>
        <translation>fingerprint {fp} (device {device})</translation>
    </message>
    <message>
        <source>已与对方核对指纹 {fp}，信任此设备</source>
        <translation>I checked the fingerprint {fp} with its owner: trust this device</translation>
    </message>
    <message>
        <source>此交换包由本机尚未信任的设备签名。请当面或电话与对方核对指纹后再信任。</source>
        <translation>This bundle is signed by a device this laptop does not trust yet. Check its fingerprint with its owner in person or by phone before trusting it.</translation>
    </message>
    <message>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>尚未写入任何内容。</source>
        <translation>Nothing has been written yet.</translation>
    </message>
    <message>
        <source>新增：{items}</source>
        <translation>New: {items}</translation>
    </message>
    <message>
        <source>无（本机已全部拥有）</source>
        <translation>none (this laptop has everything)</translation>
    </message>
    <message>
        <source>按工程师（新增的签字记录）：{items}</source>
        <translation>By engineer (new signed records): {items}</translation>
    </message>
    <message>
        <source>本机已有、跳过：{n} 项</source>
        <translation>Already here, skipped: {n}</translation>
    </message>
    <message>
        <source>更正冲突：{n} 项</source>
        <translation>Amendment conflicts: {n}</translation>
    </message>
    <message>
        <source>同一周期重复的巡检：{n} 项</source>
        <translation>Same check signed twice in a period: {n}</translation>
    </message>
    <message>
        <source>隔离（内容不同，不合并）：{n} 项</source>
        <translation>Quarantined (different content, not merged): {n}</translation>
    </message>
    <message>
        <source>请先与对方核对指纹并勾选信任，或取消导入。</source>
        <translation>Check the fingerprint with its owner and tick trust first, or cancel the import.</translation>
    </message>
    <message>
        <source>导出交换包…</source>
        <translation>Export bundle…</translation>
    </message>
    <message>
        <source>导入交换包…</source>
        <translation>Import bundle…</translation>
    </message>
    <message>
        <source>设备指纹</source>
        <translation>Device fingerprint</translation>
    </message>
    <message>
        <source>更正冲突：同一记录在两台电脑上各更正了一次，请在保留的那份上再「更正」。重复巡检：同一周期的同一检查在两台电脑上各签了一份，请作废多出的一份。隔离：同一编号、内容不同的记录，未合并，原记录保持不变。</source>
        <translation>Amendment conflict: one record was amended on two laptops; amend again the one that stands. Signed twice: the same check of one period was signed on two laptops; void the extra one. Quarantined: a record with the same id and other content, not merged; the record here is unchanged.</translation>
    </message>
    <message>
        <source>作废多出的一份…</source>
        <translation>Void the extra one…</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>简码</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>工程师</source>
        <translation>Engineer</translation>
    </message>
    <message>
        <source>简码（2–4 个字母）写入本机生成的单号，如 GZ-202611-ZS-004，团队内不能重复。</source>
        <translation>The code (2–4 letters) goes into the numbers this laptop makes, e.g. GZ-202611-ZS-004; it must be unique in the team.</translation>
    </message>
    <message>
        <source>发给</source>
        <translation>for</translation>
    </message>
    <message>
        <source>导出范围</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>同事与最近交换</source>
        <translation>Colleagues and last exchanges</translation>
    </message>
    <message>
        <source>指纹</source>
        <translation>Fingerprint</translation>
    </message>
    <message>
        <source>信任</source>
        <translation>Trust</translation>
    </message>
    <message>
        <source>最近导入</source>
        <translation>Last import</translation>
    </message>
    <message>
        <source>最近导出</source>
        <translation>Last export</translation>
    </message>
    <message>
        <source>信任所选设备…</source>
        <translation>Trust selected device…</translation>
    </message>
    <message>
        <source>信任前请当面或电话核对对方「团队」页上的设备指纹。</source>
        <translation>Before trusting, check the device fingerprint shown on your colleague&apos;s Team page in person or by phone.</translation>
    </message>
    <message>
        <source>冲突与隔离</source>
        <translation>Conflicts and quarantine</translation>
    </message>
    <message>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>来自</source>
        <translation>From</translation>
    </message>
    <message>
        <source>{fp}（设备 {device}）</source>
        <translation>{fp} (device {device})</translation>
    </message>
    <message>
        <source>（本机）</source>
        <translation> (this laptop)</translation>
    </message>
    <message>
        <source>任何人（全部内容）</source>
        <translation>anyone (everything)</translation>
    </message>
    <message>
        <source>{name}（只含对方缺少的）</source>
        <translation>{name} (only what they lack)</translation>
    </message>
    <message>
        <source>更正冲突</source>
        <translation>Amendment conflict</translation>
    </message>
    <message>
        <source>{n} 份并行的更正（{who}）</source>
        <translation>{n} parallel amendments ({who})</translation>
    </message>
    <message>
        <source>重复巡检</source>
        <translation>Signed twice</translation>
    </message>
    <message>
        <source>同一周期 {n} 份已签字的记录（{who}）</source>
        <translation>{n} signed records of one period ({who})</translation>
    </message>
    <message>
        <source>请先在「冲突与隔离」中选择一项「重复巡检」。</source>
        <translation>First choose a “Signed twice” row under “Conflicts and quarantine”.</translation>
    </message>
    <message>
        <source>已作废：该记录不再计入待办、统计和交付包；交换后在同事处同样作废。</source>
        <translation>Voided: the record no longer counts in due lists, statistics or packs; after the next exchange it is void on colleagues&apos; laptops too.</translation>
    </message>
    <message>
        <source>已保存：{name}，简码 {code}。</source>
        <translation>Saved: {name}, code {code}.</translation>
    </message>
    <message>
        <source>请先选择一台设备。</source>
        <translation>Select a device first.</translation>
    </message>
    <message>
        <source>该设备已被信任。</source>
        <translation>This device is already trusted.</translation>
    </message>
    <message>
        <source>信任设备</source>
        <translation>Trust device</translation>
    </message>
    <message>
        <source>请与 {name} 当面或电话核对指纹：
{fp}
指纹一致才信任。信任此设备吗？</source>
        <translation>Check the fingerprint with {name} in person or by phone:
{fp}
Trust it only if it matches. Trust this device?</translation>
    </message>
    <message>
        <source>已信任 {name} 的设备。</source>
        <translation>{name}&apos;s device is trusted.</translation>
    </message>
    <message>
        <source>导出交换包</source>
        <translation>Export bundle</translation>
    </message>
    <message>
        <source>交换包 (*{suffix})</source>
        <translation>Exchange bundles (*{suffix})</translation>
    </message>
    <message>
        <source>正在导出交换包</source>
        <translation>Exporting the bundle</translation>
    </message>
    <message>
        <source>已导出交换包：{path}（{kb} KB）。内容：{items}</source>
        <translation>Bundle exported: {path} ({kb} KB). Content: {items}</translation>
    </message>
    <message>
        <source>无</source>
        <translation>none</translation>
    </message>
    <message>
        <source>导入交换包</source>
        <translation>Import bundle</translation>
    </message>
    <message>
        <source>交换包 (*{suffix});;所有文件 (*)</source>
        <translation>Exchange bundles (*{suffix});;All files (*)</translation>
    </message>
    <message>
        <source>正在检查交换包</source>
        <translation>Checking the bundle</translation>
    </message>
    <message>
        <source>正在导入交换包</source>
        <translation>Importing the bundle</translation>
    </message>
    <message>
        <source>已导入 {name}：新增 {new} 项，隔离 {held} 项，更正冲突 {conflicts} 项。</source>
        <translation>Imported {name}: {new} new, {held} quarantined, {conflicts} amendment conflicts.</translation>
    </message>
    <message>
        <source>同一周期重复的巡检 {n} 项：请在下方作废多出的一份。</source>
        <translation> {n} check(s) signed twice in a period: void the extra one below.</translation>
    </message>
    <message>
        <source>已取消，本机数据未改变，未留下文件。</source>
        <translation>Cancelled: nothing changed on this laptop and no file was left.</translation>
    </message>
    <message>
        <source>两次输入的 PIN 不一致。</source>
        <translation>The two PINs differ.</translation>
    </message>
    <message>
        <source>筛选…</source>
        <translation>Filter…</translation>
    </message>
    <message>
        <source>数据库正在转换或恢复，请稍候再试。</source>
        <translation>The database is being converted or restored; try again in a moment.</translation>
    </message>
    <message>
        <source>设置密钥文件口令</source>
        <translation>Set the key file passphrase</translation>
    </message>
    <message>
        <source>输入密钥文件口令</source>
        <translation>Enter the key file passphrase</translation>
    </message>
    <message>
        <source>口令</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>口令至少 {n} 个字符。忘记口令时只能用恢复密钥解锁，请牢记。</source>
        <translation>At least {n} characters. A forgotten passphrase can only be replaced with the recovery key — remember it.</translation>
    </message>
    <message>
        <source>请输入口令。</source>
        <translation>Enter the passphrase.</translation>
    </message>
    <message>
        <source>口令至少 {n} 个字符。</source>
        <translation>The passphrase needs at least {n} characters.</translation>
    </message>
    <message>
        <source>两次输入的口令不一致。</source>
        <translation>The two passphrases differ.</translation>
    </message>
    <message>
        <source>不使用系统钥匙串（{reason}）。密钥将保存在{where}，请为它设置口令。</source>
        <translation>The system keyring is not used ({reason}). The key will be kept in {where}; set its passphrase.</translation>
    </message>
    <message>
        <source>已取消。</source>
        <translation>Cancelled.</translation>
    </message>
    <message>
        <source>没有输入密钥文件的口令。</source>
        <translation>The passphrase of the key file was not entered.</translation>
    </message>
    <message>
        <source>无法保存设备密钥：{why}</source>
        <translation>Cannot save the device key: {why}</translation>
    </message>
    <message>
        <source>无法读取本机的设备密钥</source>
        <translation>Cannot read this computer&apos;s device key</translation>
    </message>
    <message>
        <source>没有本机的设备密钥，运维工作台不能保存任何记录，也不能签字（每一次保存和签字都由本机的设备密钥签名）。</source>
        <translation>Without this computer&apos;s device key, OM Workbench cannot save any record or sign (every save and every signature is signed with the device key).</translation>
    </message>
    <message>
        <source>原因：{problem}

可以重试（例如重新输入口令），或退出程序。</source>
        <translation>Reason: {problem}

You can try again (for example, enter the passphrase again) or quit.</translation>
    </message>
    <message>
        <source>从文件读取…</source>
        <translation>Read from file…</translation>
    </message>
    <message>
        <source>选择恢复密钥文件</source>
        <translation>Choose the recovery key file</translation>
    </message>
    <message>
        <source>恢复密钥文件</source>
        <translation>Recovery key file</translation>
    </message>
    <message>
        <source>运维工作台恢复密钥-{id}.txt</source>
        <translation>OM-Workbench-recovery-key-{id}.txt</translation>
    </message>
    <message>
        <source>保存恢复密钥</source>
        <translation>Save the recovery key</translation>
    </message>
    <message>
        <source>文本文件</source>
        <translation>Text files</translation>
    </message>
    <message>
        <source>恢复密钥</source>
        <translation>Recovery key</translation>
    </message>
    <message>
        <source>请保存恢复密钥</source>
        <translation>Save your recovery key</translation>
    </message>
    <message>
        <source>数据库已加密。密钥保存在{where}。本机密钥丢失（重装系统、换电脑、忘记口令）时，只有这份恢复密钥能打开数据和备份。它只显示这一次：请保存到文件后转存到离线介质（U 盘、打印件）并锁入文件柜，不要与电脑放在一起。</source>
        <translation>The database is encrypted. The key is kept in {where}. If this computer&apos;s key is lost (reinstalled system, new laptop, forgotten passphrase), only this recovery key opens the data and its backups. It is shown only this once: save it to a file, move it to offline media (USB stick, printout) and lock it away — never keep it with the laptop.</translation>
    </message>
    <message>
        <source>密钥 ID：{id}</source>
        <translation>Key ID: {id}</translation>
    </message>
    <message>
        <source>保存到文件…</source>
        <translation>Save to file…</translation>
    </message>
    <message>
        <source>我已保存恢复密钥，并会离线妥善保管</source>
        <translation>I have saved the recovery key and will keep it safely offline</translation>
    </message>
    <message>
        <source>继续</source>
        <translation>Continue</translation>
    </message>
    <message>
        <source>无法写入 {path}：{why}</source>
        <translation>Cannot write {path}: {why}</translation>
    </message>
    <message>
        <source>已保存到 {path}。它在数据目录中：请转存到离线介质后从本机删除。</source>
        <translation>Saved to {path}. That is inside the data folder: move it to offline media, then delete it from this computer.</translation>
    </message>
    <message>
        <source>已保存到 {path}。</source>
        <translation>Saved to {path}.</translation>
    </message>
    <message>
        <source>请先保存恢复密钥，并勾选确认。</source>
        <translation>Save the recovery key first and tick the confirmation.</translation>
    </message>
    <message>
        <source>解锁加密数据</source>
        <translation>Unlock encrypted data</translation>
    </message>
    <message>
        <source>无法打开加密的数据库</source>
        <translation>Cannot open the encrypted database</translation>
    </message>
    <message>
        <source>数据目录：{folder}。可以重新输入密钥文件的口令再试；如本机的密钥已丢失或忘记口令，请使用设置加密时保存的恢复密钥。</source>
        <translation>Data folder: {folder}. Enter the key file passphrase again, or — if this computer&apos;s key is lost or the passphrase forgotten — use the recovery key saved when encryption was set up.</translation>
    </message>
    <message>
        <source>使用恢复密钥</source>
        <translation>Use the recovery key</translation>
    </message>
    <message>
        <source>解锁后把密钥重新保存到本机（系统钥匙串或密钥文件）</source>
        <translation>After unlocking, save the key on this computer again (system keyring or key file)</translation>
    </message>
    <message>
        <source>重试</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>用恢复密钥解锁</source>
        <translation>Unlock with the recovery key</translation>
    </message>
    <message>
        <source>请输入恢复密钥，或从恢复密钥文件读取。</source>
        <translation>Type the recovery key, or read it from the recovery key file.</translation>
    </message>
    <message>
        <source>密钥未保存到本机</source>
        <translation>Key not saved on this computer</translation>
    </message>
    <message>
        <source>已用恢复密钥解锁，但密钥没有保存到本机：{m}</source>
        <translation>Unlocked with the recovery key, but the key was not saved on this computer: {m}</translation>
    </message>
    <message>
        <source>自动</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <source>手动</source>
        <translation>Manual</translation>
    </message>
    <message>
        <source>恢复前</source>
        <translation>Before restore</translation>
    </message>
    <message>
        <source>数据安全</source>
        <translation>Data security</translation>
    </message>
    <message>
        <source>加密数据库…</source>
        <translation>Encrypt database…</translation>
    </message>
    <message>
        <source>解密…</source>
        <translation>Decrypt…</translation>
    </message>
    <message>
        <source>更换密钥…</source>
        <translation>Change key…</translation>
    </message>
    <message>
        <source>导出恢复密钥…</source>
        <translation>Export recovery key…</translation>
    </message>
    <message>
        <source>数据库已加密</source>
        <translation>Database encrypted</translation>
    </message>
    <message>
        <source>（SQLCipher，AES-256；附件和签名图片在库内，备份同样加密）</source>
        <translation>(SQLCipher, AES-256; attachments and signature images are inside, backups are encrypted too)</translation>
    </message>
    <message>
        <source>密钥保存在：{where}</source>
        <translation>Key kept in: {where}</translation>
    </message>
    <message>
        <source>未知</source>
        <translation>unknown</translation>
    </message>
    <message>
        <source>旧密钥 {n} 个（旧备份使用），仍保存在本机。</source>
        <translation>{n} earlier key(s) (used by older backups) still kept on this computer.</translation>
    </message>
    <message>
        <source>警告：未加密的副本 {path}（确认不再需要后请删除）</source>
        <translation>Warning: unencrypted copy {path} (delete it once you are sure it is not needed)</translation>
    </message>
    <message>
        <source>数据库未加密</source>
        <translation>Database not encrypted</translation>
    </message>
    <message>
        <source>（明文 SQLite）。在甲方现场使用时建议加密。</source>
        <translation>(plain SQLite). Encrypting is recommended at the client&apos;s site.</translation>
    </message>
    <message>
        <source>加密后，数据、附件、签名图片和备份都只能用本机密钥或恢复密钥打开。</source>
        <translation>Once encrypted, data, attachments, signature images and backups open only with this computer&apos;s key or the recovery key.</translation>
    </message>
    <message>
        <source>（不使用系统钥匙串：{why}）</source>
        <translation>(system keyring not used: {why})</translation>
    </message>
    <message>
        <source>加密数据库</source>
        <translation>Encrypt database</translation>
    </message>
    <message>
        <source>用新密钥加密整个数据库（含附件和签名图片）？已有的未加密备份也一并加密。</source>
        <translation>Encrypt the whole database (attachments and signature images included) with a new key? Existing unencrypted backups are encrypted too.</translation>
    </message>
    <message>
        <source>加密</source>
        <translation>Encrypt</translation>
    </message>
    <message>
        <source>转换前后逐表核对记录数和审计日志，核对无误才替换。密钥将保存在{where}。完成后显示恢复密钥，请务必保存。</source>
        <translation>Row counts of every table and the audit log are compared before and after; the store is replaced only if they match. The key will be kept in {where}. The recovery key is shown afterwards — be sure to save it.</translation>
    </message>
    <message>
        <source>解密数据库</source>
        <translation>Decrypt database</translation>
    </message>
    <message>
        <source>解密后客户数据将以明文保存在本机磁盘上。确定要解密吗？</source>
        <translation>After decrypting, client data is stored in plain form on this disk. Decrypt anyway?</translation>
    </message>
    <message>
        <source>解密</source>
        <translation>Decrypt</translation>
    </message>
    <message>
        <source>合同保密条款通常要求在甲方现场加密保存数据。已加密的备份保持加密，仍可用原密钥恢复。</source>
        <translation>Confidentiality clauses usually require data at the client&apos;s site to be encrypted. Encrypted backups stay encrypted and can still be restored with their key.</translation>
    </message>
    <message>
        <source>更换密钥</source>
        <translation>Change key</translation>
    </message>
    <message>
        <source>用新密钥重新加密数据库？旧的恢复密钥将不能再打开数据库。</source>
        <translation>Re-encrypt the database with a new key? The old recovery key will no longer open it.</translation>
    </message>
    <message>
        <source>旧备份仍用旧密钥加密，旧密钥保留在本机。完成后显示新的恢复密钥，请务必保存。</source>
        <translation>Older backups stay encrypted with the old key, which is kept on this computer. The new recovery key is shown afterwards — be sure to save it.</translation>
    </message>
    <message>
        <source>正在解密数据库</source>
        <translation>Decrypting the database</translation>
    </message>
    <message>
        <source>正在更换密钥</source>
        <translation>Changing the key</translation>
    </message>
    <message>
        <source>未完成，数据库保持原样：{m}</source>
        <translation>Not done; the database is unchanged: {m}</translation>
    </message>
    <message>
        <source>已加密</source>
        <translation>encrypted</translation>
    </message>
    <message>
        <source>未加密（明文）</source>
        <translation>unencrypted (plain)</translation>
    </message>
    <message>
        <source>转换完成并已校验：数据库现为{state}；{tables} 张表、{rows} 条记录、审计日志 {audit} 条，与转换前一致。</source>
        <translation>Converted and verified: the database is now {state}; {tables} tables, {rows} records and {audit} audit entries, the same as before.</translation>
    </message>
    <message>
        <source>恢复密钥已写入 {path}。请转存到离线介质并妥善保管，然后从本机删除。</source>
        <translation>Recovery key written to {path}. Move it to offline media, keep it safe, then delete it from this computer.</translation>
    </message>
    <message>
        <source>从备份恢复</source>
        <translation>Restore from backup</translation>
    </message>
    <message>
        <source>用此备份替换当前数据？</source>
        <translation>Replace the current data with this backup?</translation>
    </message>
    <message>
        <source>备份：{time}（{kind}，{size}）</source>
        <translation>Backup: {time} ({kind}, {size})</translation>
    </message>
    <message>
        <source>先对备份做恢复演练（完整性、记录数、审计日志），通过后把当前数据另存为「恢复前」备份，再替换。备份之后录入的记录将不在恢复后的数据中。</source>
        <translation>The backup is drilled first (integrity, record counts, audit log); if it passes, the current data is kept as a &quot;before restore&quot; backup and then replaced. Records entered after the backup will not be in the restored data.</translation>
    </message>
    <message>
        <source>恢复密钥（仅当备份来自其他电脑或使用旧密钥时需要）</source>
        <translation>Recovery key (only for a backup from another computer or under an old key)</translation>
    </message>
    <message>
        <source>备份</source>
        <translation>Backups</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>大小</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>立即备份</source>
        <translation>Back up now</translation>
    </message>
    <message>
        <source>恢复演练</source>
        <translation>Restore drill</translation>
    </message>
    <message>
        <source>把所选备份恢复到临时位置并核对完整性、记录数和审计日志</source>
        <translation>Restore the selected backup into a scratch location and check integrity, record counts and the audit log</translation>
    </message>
    <message>
        <source>从备份恢复…</source>
        <translation>Restore from backup…</translation>
    </message>
    <message>
        <source>打开备份目录</source>
        <translation>Open backup folder</translation>
    </message>
    <message>
        <source>每天自动备份一次（启动和关闭时），保存在 {path}；自动备份保留 7 天、4 周、12 个月，手动备份不会自动删除。加密数据库的备份同样加密。</source>
        <translation>One automatic backup a day (at start and at close), kept in {path}; automatic backups are kept for 7 days, 4 weeks and 12 months, manual ones are never deleted automatically. Backups of an encrypted database are encrypted too.</translation>
    </message>
    <message>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <source>无摘要</source>
        <translation>No summary</translation>
    </message>
    <message>
        <source>正在备份</source>
        <translation>Backing up</translation>
    </message>
    <message>
        <source>备份失败：{m}</source>
        <translation>Backup failed: {m}</translation>
    </message>
    <message>
        <source>未加密</source>
        <translation>unencrypted</translation>
    </message>
    <message>
        <source>已备份（{state}，已核对记录数和审计日志）：{path}</source>
        <translation>Backed up ({state}; record counts and audit log checked): {path}</translation>
    </message>
    <message>
        <source>正在做恢复演练</source>
        <translation>Running the restore drill</translation>
    </message>
    <message>
        <source>恢复演练出错：{m}</source>
        <translation>The restore drill failed to run: {m}</translation>
    </message>
    <message>
        <source>恢复演练通过：备份完整，可以恢复。</source>
        <translation>Restore drill passed: the backup is complete and can be restored.</translation>
    </message>
    <message>
        <source>恢复演练未通过：备份不完整或已损坏。</source>
        <translation>Restore drill failed: the backup is incomplete or damaged.</translation>
    </message>
    <message>
        <source>正在从备份恢复…</source>
        <translation>Restoring from the backup…</translation>
    </message>
    <message>
        <source>正在从备份恢复</source>
        <translation>Restoring from the backup</translation>
    </message>
    <message>
        <source>未恢复，当前数据未改动：{m}</source>
        <translation>Not restored; the current data is unchanged: {m}</translation>
    </message>
    <message>
        <source>恢复前的数据已备份到：{path}</source>
        <translation>The data before the restore was backed up to: {path}</translation>
    </message>
    <message>
        <source>注意：{note}</source>
        <translation>Note: {note}</translation>
    </message>
    <message>
        <source>已从备份恢复：{time}</source>
        <translation>Restored from backup: {time}</translation>
    </message>
    <message>
        <source>没有解锁数据库。</source>
        <translation>The database was not unlocked.</translation>
    </message>
    <message>
        <source>无法重新打开数据</source>
        <translation>Cannot reopen the data</translation>
    </message>
    <message>
        <source>程序将退出；请重新启动。</source>
        <translation>The program will quit; please start it again.</translation>
    </message>
    <message>
        <source>已自动备份：{name}</source>
        <translation>Automatic backup made: {name}</translation>
    </message>
    <message>
        <source>自动备份</source>
        <translation>Automatic backup</translation>
    </message>
    <message>
        <source>核验交付包</source>
        <translation>Verify pack</translation>
    </message>
    <message>
        <source>核验交付包（文件夹或 .zip）或带 .minisig 签名的单个文件：签名是否来自受信任的公钥，清单列出的每个文件是否齐全、大小和 SHA-256 是否相符，有无多余或路径不安全的文件。</source>
        <translation>Verifies a pack (folder or .zip) or a single file with its .minisig signature: is the signature made with a trusted public key, is every listed file there with the right size and SHA-256, are there extra files or unsafe paths.</translation>
    </message>
    <message>
        <source>交付包文件夹或 .zip 文件</source>
        <translation>Pack folder or .zip file</translation>
    </message>
    <message>
        <source>文件夹…</source>
        <translation>Folder…</translation>
    </message>
    <message>
        <source>文件…</source>
        <translation>File…</translation>
    </message>
    <message>
        <source>核验</source>
        <translation>Verify</translation>
    </message>
    <message>
        <source>选择交付包文件夹</source>
        <translation>Choose the pack folder</translation>
    </message>
    <message>
        <source>选择交付包或已签名的文件</source>
        <translation>Choose a pack or a signed file</translation>
    </message>
    <message>
        <source>交付包</source>
        <translation>Packs</translation>
    </message>
    <message>
        <source>请选择要核验的交付包文件夹或文件。</source>
        <translation>Choose the pack folder or file to verify.</translation>
    </message>
    <message>
        <source>正在核验</source>
        <translation>Verifying</translation>
    </message>
    <message>
        <source>核验通过</source>
        <translation>Verified</translation>
    </message>
    <message>
        <source>核验失败</source>
        <translation>Verification failed</translation>
    </message>
    <message>
        <source>签名人：{who}（密钥 ID {id}，{state}）</source>
        <translation>Signed by: {who} (key ID {id}, {state})</translation>
    </message>
    <message>
        <source>受信任</source>
        <translation>trusted</translation>
    </message>
    <message>
        <source>不受信任或签名无效</source>
        <translation>not trusted or signature invalid</translation>
    </message>
    <message>
        <source>签名时间：{at}</source>
        <translation>Signed at: {at}</translation>
    </message>
    <message>
        <source>没有有效的签名。</source>
        <translation>No valid signature.</translation>
    </message>
    <message>
        <source>本机没有任何受信任的公钥：请先导入签名人的公钥并设为信任（omw keys import）。</source>
        <translation>No public key is trusted on this computer: import the signer&apos;s public key and trust it first (omw keys import).</translation>
    </message>
    <message>
        <source>数据完整性检查</source>
        <translation>Data integrity check</translation>
    </message>
    <message>
        <source>数据完整性检查发现 {n} 个问题：{first}</source>
        <translation>The data integrity check found {n} problem(s): {first}</translation>
    </message>
    <message>
        <source>查看</source>
        <translation>View</translation>
    </message>
    <message>
        <source>关闭提示</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>核对每条已签字的记录与其签字（设备签名）、签名图片、附件和审计日志，并与本机记得的审计链头和备份对照：在本应用之外的改动、删除或回退都会被发现。</source>
        <translation>Checks every signed record against its signatures (device seals), signature images, attachments and the audit log, and against the audit head this computer remembers and the backups: changes, deletions or rollbacks made outside this app are found.</translation>
    </message>
    <message>
        <source>开始检查</source>
        <translation>Start check</translation>
    </message>
    <message>
        <source>对照导出包或备份…</source>
        <translation>Check against a pack or backup…</translation>
    </message>
    <message>
        <source>选择交给甲方的导出包（.zip）或备份文件：数据库必须仍包含它们签名时的审计日志</source>
        <translation>Choose an export pack (.zip) handed to the client, or a backup file: the database must still contain the audit log they signed</translation>
    </message>
    <message>
        <source>不再对照</source>
        <translation>Stop comparing</translation>
    </message>
    <message>
        <source>尚未检查。每次启动后会在后台自动检查一次。</source>
        <translation>Not checked yet. A check runs in the background after every start.</translation>
    </message>
    <message>
        <source>位置</source>
        <translation>Where</translation>
    </message>
    <message>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>双击带记录编号的问题可打开该记录。</source>
        <translation>Double-click a problem with a record number to open the record.</translation>
    </message>
    <message>
        <source>正在检查…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>已取消检查。</source>
        <translation>Check cancelled.</translation>
    </message>
    <message>
        <source>检查未能完成：{m}</source>
        <translation>The check could not be completed: {m}</translation>
    </message>
    <message>
        <source>选择导出包或备份</source>
        <translation>Choose an export pack or backup</translation>
    </message>
    <message>
        <source>导出包或备份</source>
        <translation>Export packs or backups</translation>
    </message>
    <message>
        <source>所有文件</source>
        <translation>All files</translation>
    </message>
    <message>
        <source>对照：{files}</source>
        <translation>Against: {files}</translation>
    </message>
    <message>
        <source>检查时间：{time}</source>
        <translation>Checked at: {time}</translation>
    </message>
    <message>
        <source>注意</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>双击打开该记录</source>
        <translation>Double-click to open the record</translation>
    </message>
    <message>
        <source>无法打开该记录：{m}</source>
        <translation>Cannot open the record: {m}</translation>
    </message>
    <message>
        <source>报告文字段落（据数据生成，可修改）</source>
        <translation>Report text (drafted from the records, editable)</translation>
    </message>
    <message>
        <source>此段为空，导出时该交付物将标为「待补充」。</source>
        <translation>This section is empty: the deliverable will be marked “to be completed” at export.</translation>
    </message>
    <message>
        <source>恢复为草稿</source>
        <translation>Back to draft</translation>
    </message>
    <message>
        <source>保存文字</source>
        <translation>Save text</translation>
    </message>
    <message>
        <source>已修改，尚未保存（导出时自动保存）</source>
        <translation>Changed, not saved yet (saved when exporting)</translation>
    </message>
    <message>
        <source>已编辑（{who} {when}），导出时使用此文字</source>
        <translation>Edited ({who} {when}); exports print this text</translation>
    </message>
    <message>
        <source>据本期数据生成的草稿；未修改时每次导出按最新数据重新生成</source>
        <translation>Draft from this period&apos;s records; until edited, every export drafts it again from the latest records</translation>
    </message>
    <message>
        <source>今日没有待办或逾期事项。</source>
        <translation>Nothing due today or overdue.</translation>
    </message>
    <message>
        <source>今日待办 {today} 项、进行中 {doing} 项，已逾期 {overdue} 项。</source>
        <translation>Due today: {today}; in progress: {doing}; overdue: {overdue}.</translation>
    </message>
    <message>
        <source>今日待办 {today} 项，已逾期 {overdue} 项。</source>
        <translation>Due today: {today}; overdue: {overdue}.</translation>
    </message>
    <message>
        <source>运维工作台 · 今日提醒</source>
        <translation>OM Workbench · Today</translation>
    </message>
    <message>
        <source>{year}年{month}月</source>
        <translation>{year}-{month:02d}</translation>
    </message>
    <message>
        <source>（{start}日至{end}日）</source>
        <translation> (days {start}–{end})</translation>
    </message>
    <message>
        <source>{year}年第{quarter}季度</source>
        <translation>Q{quarter} {year}</translation>
    </message>
    <message>
        <source>{year}年上半年</source>
        <translation>H1 {year}</translation>
    </message>
    <message>
        <source>{year}年下半年</source>
        <translation>H2 {year}</translation>
    </message>
    <message>
        <source>{year}年度</source>
        <translation>Year {year}</translation>
    </message>
    <message>
        <source>（{start} 至 {end}）</source>
        <translation> ({start} to {end})</translation>
    </message>
    <message>
        <source>一次性</source>
        <translation>One-off</translation>
    </message>
    <message>
        <source>合同期</source>
        <translation>Contract term</translation>
    </message>
    <message>
        <source>合同第{month}个月（至{end}）</source>
        <translation>Contract month {month} (to {end})</translation>
    </message>
    <message>
        <source>{holiday} 节日期间 {day}</source>
        <translation>{holiday}, holiday day {day}</translation>
    </message>
    <message>
        <source>{holiday} {phase}</source>
        <translation>{holiday} {phase}</translation>
    </message>
    <message>
        <source>{holiday}（{start} 至 {end}）</source>
        <translation>{holiday} ({start} to {end})</translation>
    </message>
    <message>
        <source>次月第{n}个工作日</source>
        <translation>Working day {n} of the next month</translation>
    </message>
    <message>
        <source>{year}年{month}月{day}日前</source>
        <translation>By {year}-{month:02d}-{day:02d}</translation>
    </message>
    <message>
        <source>故障关闭后</source>
        <translation>After the fault is closed, </translation>
    </message>
    <message>
        <source>节假日保障期结束后</source>
        <translation>After the holiday duty period, </translation>
    </message>
    <message>
        <source>合同第{month}个月结束后</source>
        <translation>After contract month {month}, </translation>
    </message>
    <message>
        <source>合同期满后</source>
        <translation>After the contract ends, </translation>
    </message>
    <message>
        <source>{n}个工作日内</source>
        <translation>within {n} working days</translation>
    </message>
    <message>
        <source>合同期内（最后一个工作日前）</source>
        <translation>Within the contract term (by its last working day)</translation>
    </message>
    <message>
        <source>当月</source>
        <translation>the month</translation>
    </message>
    <message>
        <source>当季度</source>
        <translation>the quarter</translation>
    </message>
    <message>
        <source>当半年</source>
        <translation>the half-year</translation>
    </message>
    <message>
        <source>当年度</source>
        <translation>the year</translation>
    </message>
    <message>
        <source>{within}最后一个工作日前</source>
        <translation>By the last working day of {within}</translation>
    </message>
    <message>
        <source>{h}小时{m}分钟</source>
        <translation>{h} h {m} min</translation>
    </message>
    <message>
        <source>{h}小时</source>
        <translation>{h} h</translation>
    </message>
    <message>
        <source>{m}分钟</source>
        <translation>{m} min</translation>
    </message>
    <message>
        <source>巡检项目全部正常。</source>
        <translation>All items normal.</translation>
    </message>
    <message>
        <source>{n} 项警告</source>
        <translation>{n} warning(s)</translation>
    </message>
    <message>
        <source>发现 {parts}，详见异常情况及处理措施。</source>
        <translation>Found {parts}; see the findings and measures taken.</translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>巡检异常</source>
        <translation>Inspection finding</translation>
    </message>
    <message>
        <source>类似问题的解决方法（{key} 插入选中的一条）</source>
        <translation>Solutions of similar problems ({key} inserts the selected one)</translation>
    </message>
    <message>
        <source>查找类似问题</source>
        <translation>Finding similar problems</translation>
    </message>
    <message>
        <source>（已审核）</source>
        <translation> (reviewed)</translation>
    </message>
    <message>
        <source>…另有 {n} 个地址</source>
        <translation>…and {n} more addresses</translation>
    </message>
    <message>
        <source>自动检测将访问合同「{name}」档案中的以下地址（只发送检测请求本身）。确认可以访问吗？</source>
        <translation>The automatic check will contact the following addresses of the profile of contract “{name}” (sending nothing but the check request itself). May they be contacted?</translation>
    </message>
    <message>
        <source>确认访问</source>
        <translation>Contact them</translation>
    </message>
    <message>
        <source>未确认地址，没有访问任何地址。</source>
        <translation>The addresses were not confirmed; nothing was contacted.</translation>
    </message>
    <message>
        <source>自动检测已取消，未保存任何结果。</source>
        <translation>Automatic check cancelled; no result was saved.</translation>
    </message>
    <message>
        <source>团队中心</source>
        <translation>Team hub</translation>
    </message>
    <message>
        <source>本机数据存储</source>
        <translation>this computer&apos;s store</translation>
    </message>
    <message>
        <source>当前使用：{where}</source>
        <translation>In use: {where}</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>连接并使用</source>
        <translation>Connect and use</translation>
    </message>
    <message>
        <source>改用本机数据存储</source>
        <translation>Use this computer&apos;s store</translation>
    </message>
    <message>
        <source>公司办公室的 PostgreSQL 服务器，多人同时使用；口令保存在系统密钥环或加密的密钥文件中。重新启动后生效。</source>
        <translation>The office&apos;s PostgreSQL server, used by several people at once; the password is kept in the system keyring or the encrypted secrets file. Takes effect after a restart.</translation>
    </message>
    <message>
        <source>正在连接团队中心</source>
        <translation>Connecting to the team hub</translation>
    </message>
    <message>
        <source>已保存团队中心 {where}，重新启动后使用。</source>
        <translation>Team hub {where} saved; it is used after a restart.</translation>
    </message>
    <message>
        <source>重新启动后改用本机数据存储。</source>
        <translation>This computer&apos;s store is used after a restart.</translation>
    </message>
    <message>
        <source>发生了意外错误（{kind}），刚才的操作没有完成。已保存的记录不受影响。</source>
        <translation>An unexpected error occurred ({kind}); the last action did not finish. Records already saved are not affected. </translation>
    </message>
    <message>
        <source>详细信息已记录在 {path}，可发给技术支持。</source>
        <translation>The details were written to {path}; you may send that file to support.</translation>
    </message>
    <message>
        <source>意外错误</source>
        <translation>Unexpected error</translation>
    </message>
    <message>
        <source>作废重复的巡检记录</source>
        <translation>Void a check signed twice</translation>
    </message>
    <message>
        <source>{label}：同一周期有 {n} 份已签字的巡检记录。请选择多出的一份作废，保留的记录不变。作废的记录不计入待办、统计和交付包，交换后在同事处同样作废，不能撤销。</source>
        <translation>{label}: {n} signed records of the same period. Choose the extra one to void; the one kept is unchanged. A voided record no longer counts in due lists, statistics or packs, is void on colleagues&apos; laptops after the next exchange, and cannot be restored.</translation>
    </message>
    <message>
        <source>重复巡检通常由项目经理处理：若同事在另一台电脑上作废了另一份，两份都作废后该周期视同未做。请先与项目经理确认。</source>
        <translation>A check signed twice is usually resolved by the project manager: if a colleague voids the other one on another laptop, both are void and the period counts as not done. Agree with the project manager first.</translation>
    </message>
    <message>
        <source>作废</source>
        <translation>Void</translation>
    </message>
    <message>
        <source>作废所选</source>
        <translation>Void the chosen one</translation>
    </message>
    <message>
        <source>同一周期重复巡检，保留{who}的记录</source>
        <translation>Same check signed twice in a period; keeping the record of {who}</translation>
    </message>
    <message>
        <source>等 {n} 项</source>
        <translation> and others, {n} in all</translation>
    </message>
    <message>
        <source>将登记为已提交：</source>
        <translation>To be registered as handed in: </translation>
    </message>
    <message>
        <source>提交日期</source>
        <translation>Handed in on</translation>
    </message>
    <message>
        <source>各按其截止日期（在本应用之外已按时提交；记录中注明）</source>
        <translation>Each on its due date (handed in on time outside this app; noted in the record)</translation>
    </message>
    <message>
        <source>登记 {n} 项</source>
        <translation>Register {n}</translation>
    </message>
    <message>
        <source>启用日期</source>
        <translation>Start date</translation>
    </message>
    <message>
        <source>合同中途才开始用本应用记录时，写明从哪天起记录：此前的巡检不计为未完成，此前到期的交付物显示为「启用前」而非已逾期，汇总表和报告中注明。设置后随交换包发给同事（团队中由项目经理设置）。</source>
        <translation>When this app was taken up mid-way through the contract, say from which day it records: checks before it are not counted as missed, deliverables due before it show as Before start instead of overdue, and summaries and reports say so. Sent to colleagues in exchange bundles (in a team, the PM sets it).</translation>
    </message>
    <message>
        <source>本应用自此日起记录本合同：</source>
        <translation>This app records the contract from:</translation>
    </message>
    <message>
        <source>合同期 {start} 至 {end}；不勾选则自合同期开始统计。</source>
        <translation>Contract period {start} to {end}; unchecked, everything counts from its start.</translation>
    </message>
</context>
</TS>
